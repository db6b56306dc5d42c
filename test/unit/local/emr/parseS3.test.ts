import { describe, expect, it } from 'vitest';
import { parseS3 } from '../../../../local/emr/localCluster.ts';
import { LocalStepError } from '../../../../local/emr/planLocalStep.ts';

describe('Function: parseS3 (local EMR)', () => {
  it("reads s3:// and Spark's s3a:// URIs with the one S3 URI parser", () => {
    expect(parseS3('s3://logs/emr/j-1/')).toEqual({ bucket: 'logs', key: 'emr/j-1/' });
    expect(parseS3('s3a://code/jobs/step.py')).toEqual({ bucket: 'code', key: 'jobs/step.py' });
    expect(parseS3('s3://logs')).toEqual({ bucket: 'logs', key: '' });
  });

  it('refuses anything else with a LocalStepError naming the URI', () => {
    expect(() => parseS3('hdfs:///tmp/x')).toThrow(LocalStepError);
    expect(() => parseS3('hdfs:///tmp/x')).toThrow('not an S3 URI: hdfs:///tmp/x');
  });
});
