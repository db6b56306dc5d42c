import { describe, expect, it } from 'vitest';
import { JobValidationError } from '../../../src/errors.ts';
import { resolveTemplate, templateValues, unknownPlaceholders } from '../../../src/job/templates.ts';

const values = templateValues({ runDate: '2024-01-31', runId: '20240131-abc', jobName: 'orders' });

describe('templateValues', () => {
  it('splits the run date into year, month and day', () => {
    expect(values).toEqual({
      runDate: '2024-01-31',
      runId: '20240131-abc',
      jobName: 'orders',
      year: '2024',
      month: '01',
      day: '31',
    });
  });
});

describe('resolveTemplate', () => {
  it.each([
    ['s3://b/{jobName}/{runDate}/', 's3://b/orders/2024-01-31/'],
    ['s3://b/year={year}/month={month}/day={day}/{runId}/', 's3://b/year=2024/month=01/day=31/20240131-abc/'],
    ['s3://b/plain/', 's3://b/plain/'],
    ['s3://b/{jobName}{jobName}', 's3://b/ordersorders'],
  ])('%s -> %s', (text, expected) => {
    expect(resolveTemplate(text, values)).toBe(expected);
  });

  it('refuses an unknown placeholder, naming the field and the ones it knows', () => {
    expect(() => resolveTemplate('{rundate}', values)).toThrow(JobValidationError);
    expect(() => resolveTemplate('s3://b/{rundate}/{}/', values, 'destination')).toThrow(
      new JobValidationError('Invalid job document', [
        'destination: unknown placeholder {rundate}, {}; use one of {runDate}, {runId}, {jobName}, {year}, {month}, {day}',
      ]),
    );
  });
});

describe('unknownPlaceholders', () => {
  it('lists only the names it does not know', () => {
    expect(unknownPlaceholders('{runId}/{date}/{year}/{x}')).toEqual(['date', 'x']);
    expect(unknownPlaceholders('no placeholders')).toEqual([]);
  });
});
