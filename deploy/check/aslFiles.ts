import { createRequire } from 'node:module';
import type { StateMachineSource } from '../stack/discover.ts';
import { functionNameFromPlaceholder } from '../stack/naming.ts';

interface AslValidatorResult {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => AslValidatorResult;

/**
 * The definition with every `${Placeholder}` replaced by a value of the right shape (a Lambda ARN
 * for `${XxxFunctionArn}`, a bucket name otherwise), as Step Functions will see it once deployed.
 */
export function withSampleSubstitutions(definition: unknown): unknown {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const fn = functionNameFromPlaceholder(name);
    return fn === undefined
      ? `rt-${name.toLowerCase()}-123456789012`
      : `arn:aws:lambda:us-east-1:123456789012:function:redshift-transfer-dev-${fn}`;
  });
  return JSON.parse(text);
}

/** asl-validator (schema, transitions, paths, ARNs) on each state machine file. */
export function validateAslFiles(machines: readonly StateMachineSource[]): string[] {
  const problems: string[] = [];
  for (const machine of machines) {
    const result = aslValidator(withSampleSubstitutions(machine.definition), {
      checkPaths: true,
      checkArn: true,
    });
    if (!result.isValid) problems.push(`${machine.file}:\n    ${result.errorsText('\n    ')}`);
  }
  return problems;
}
