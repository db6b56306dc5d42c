import { describe, expect, it } from 'vitest';
import { functionNameFromPlaceholder, pascalCase, stateMachineArnEnvVar } from '../../src/naming.ts';

describe('naming rules shared by local/sfn and deploy/stack', () => {
  it.each([
    ['pollStatement', 'PollStatement'],
    ['submitSparkStep', 'SubmitSparkStep'],
    ['a', 'A'],
    ['s3-event_trigger', 'S3DasheventUnderscoretrigger'],
  ])('pascalCase(%s) = %s', (name, expected) => {
    expect(pascalCase(name)).toBe(expected);
  });

  it.each([
    ['PollStatementFunctionArn', 'pollStatement'],
    ['SubmitSparkStepFunctionArn', 'submitSparkStep'],
    ['S3EventTriggerFunctionArn', 's3EventTrigger'],
    ['FunctionArn', undefined],
    ['pollStatementFunctionArn', undefined],
    ['PollStatementFunction', undefined],
    ['Poll_StatementFunctionArn', undefined],
    ['StateBucket', undefined],
  ])('functionNameFromPlaceholder(%s) = %s', (placeholder, expected) => {
    expect(functionNameFromPlaceholder(placeholder)).toBe(expected);
  });

  it('placeholders round-trip with pascalCase for every camelCase function name', () => {
    for (const name of ['pollStatement', 'startUnload', 'cleanupLoad', 'submitSparkStep']) {
      expect(functionNameFromPlaceholder(`${pascalCase(name)}FunctionArn`)).toBe(name);
    }
  });

  it.each([
    ['load', 'RT_LOAD_STATE_MACHINE_ARN'],
    ['export', 'RT_EXPORT_STATE_MACHINE_ARN'],
    ['nightly-export', 'RT_NIGHTLY_EXPORT_STATE_MACHINE_ARN'],
    ['v2.load', 'RT_V2_LOAD_STATE_MACHINE_ARN'],
  ])('stateMachineArnEnvVar(%s) = %s', (kind, expected) => {
    expect(stateMachineArnEnvVar(kind)).toBe(expected);
  });
});
