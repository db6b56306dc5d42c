/**
 * Text from job documents, S3 keys, SQL errors or execution causes, made safe to print: control
 * characters (except newline and tab), C1 controls, and invisible or bidirectional characters
 * are shown as `\u{...}` escapes, so a value can never move the cursor, recolour or reorder the
 * user's terminal, or hide part of a message.
 */
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

export function forTerminal(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
}
