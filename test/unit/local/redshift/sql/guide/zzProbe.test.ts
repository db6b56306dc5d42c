import { readFileSync } from 'node:fs';
import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { it } from 'vitest';
import { executeAndWait } from '../../../../../helpers/testRedshift.ts';
import { startGuideRedshift } from './guideHarness.ts';

it('probe', async () => {
  const g = await startGuideRedshift();
  const sqls = readFileSync('/tmp/sqlB-probe.sql', 'utf8')
    .split(';;\n')
    .filter((s) => s.trim());
  for (const sql of sqls) {
    const d = await executeAndWait(g.rs, { Sql: sql });
    if (d.Status !== 'FINISHED') {
      console.log(`${sql}\n  => ${d.Status} ${d.Error}`);
      continue;
    }
    if (!d.HasResultSet) {
      console.log(`${sql}\n  => ok`);
      continue;
    }
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    console.log(
      `${sql}\n  => ${JSON.stringify(r.Records)} ${JSON.stringify(r.ColumnMetadata?.map((c) => [c.typeName, c.precision, c.scale]))}`,
    );
  }
  await g.stop();
}, 120000);
