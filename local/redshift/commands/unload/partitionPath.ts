// Characters Hive escapes in partition values (FileUtils.escapePathName), as %XX.
const HIVE_ESCAPE = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

/** `col=value/` folders for one row's partition values; NULL goes to __HIVE_DEFAULT_PARTITION__. */
export function partitionPath(names: string[], values: (string | null)[]): string {
  let path = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i];
    const text =
      v === null || v === undefined || v === ''
        ? '__HIVE_DEFAULT_PARTITION__'
        : v.replace(HIVE_ESCAPE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    path += `${names[i]}=${text}/`;
  }
  return path;
}
