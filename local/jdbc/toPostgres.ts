import { isRedshiftCommand } from '../redshift/commands/index.ts';
import { type DescribeOperands, lowerDecimalArithmetic } from '../redshift/sql/lowerDecimalArithmetic.ts';
import { joinTokens, splitStatements, tokenize } from '../redshift/sql/tokenize.ts';
import { translateRedshiftSql } from '../redshift/sql/translateRedshiftSql.ts';

/** No-op statements (physical layout on Redshift) still answer, with a harmless statement. */
const NOOP_STATEMENT = 'DO $noop$ BEGIN END $noop$';

/**
 * The statements of a query as PostgreSQL runs them: the Data API's translation of Redshift SQL
 * (translateRedshiftSql), statement by statement, with Redshift's DECIMAL result types
 * (lowerDecimalArithmetic, probing operand types with `describe`). Text the tokenizer cannot read
 * goes unchanged, for the engine to report.
 */
export async function toPostgres(sql: string, describe: DescribeOperands): Promise<string> {
  let statements: ReturnType<typeof splitStatements>;
  try {
    statements = splitStatements(tokenize(sql));
  } catch {
    return sql;
  }
  if (statements.length === 0) return sql;
  const out: string[] = [];
  for (const tokens of statements) {
    const text = joinTokens(tokens);
    if (isRedshiftCommand(text)) return sql; // mixed with UNLOAD/COPY: the engine says why not
    const translated = await translateRedshiftSql(tokens);
    out.push(
      translated.noop
        ? NOOP_STATEMENT
        : await lowerDecimalArithmetic(joinTokens(translated.tokens), describe),
    );
  }
  return out.join(';\n');
}
