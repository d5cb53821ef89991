import type { StandardSchema, StandardSchemaIssue, StandardSchemaResult } from './standard-schema.js';
import { summarizeError } from './error-history.js';
import { MessageDecodeError } from './message-decode-error.js';

/**
 * Validates a decoded payload with a Standard Schema, whose `validate` may answer at once or
 * with a promise, and returns the schema's output value.
 *
 * @internal
 * @throws {MessageDecodeError} `invalid-payload` listing every issue as `path: message`, with
 * the issues kept on the error, or when the schema itself throws.
 */
export async function validatePayload(schema: StandardSchema, messageName: string, payload: unknown): Promise<unknown> {
  let result: StandardSchemaResult;
  try {
    result = await schema['~standard'].validate(payload);
  } catch (error) {
    throw new MessageDecodeError('invalid-payload', `The schema of ${JSON.stringify(messageName)} threw while validating: ${summarizeError(error)}`, {
      cause: error,
      messageName,
    });
  }
  if (!result.issues) return result.value;
  const list = result.issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join('; ');
  throw new MessageDecodeError('invalid-payload', `The payload of ${JSON.stringify(messageName)} does not pass its schema: ${list}.`, {
    messageName,
    issues: result.issues,
  });
}

function pathOf(issue: StandardSchemaIssue): string {
  if (issue.path === undefined || issue.path.length === 0) return '(root)';
  return issue.path.map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
}
