import { z } from 'zod';
import { durationSchema, s3UriSchema } from './common.ts';

/** The default location of the Redshift JDBC driver on EMR (see reference/spark-redshift.md). */
export const DEFAULT_REDSHIFT_JDBC_JAR = '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar';

/**
 * The optional `spark` block of any job: an EMR step that runs `spark-submit` with the Redshift
 * JDBC jar and a PySpark script (by default our spark/redshift.py) after the transfer.
 */
export const sparkStepSchema = z
  .object({
    clusterId: z
      .string()
      .trim()
      .regex(/^j-[A-Z0-9]{1,64}$/, 'expected an EMR cluster id like "j-2AXXXXXXGAPLF"'),
    /** The PySpark script (S3 URI or a path on the cluster). */
    script: z.string().trim().min(1),
    /** Arguments for the script, passed as separate argv entries (never through a shell). */
    args: z.array(z.string()).default([]),
    jdbcJar: z.string().trim().min(1).default(DEFAULT_REDSHIFT_JDBC_JAR),
    extraJars: z.array(z.string().trim().min(1)).default([]),
    deployMode: z.enum(['cluster', 'client']).default('cluster'),
    actionOnFailure: z.enum(['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER']).default('CONTINUE'),
    sparkConf: z.record(z.string(), z.string()).default({}),
    /** Where the step's logs go (EMR LogUri); surfaced when the step fails. */
    logUri: s3UriSchema.optional(),
    timeout: durationSchema.optional(),
    name: z.string().trim().min(1).max(256).optional(),
  })
  .strict();
export type SparkStep = z.infer<typeof sparkStepSchema>;
