/** Schema holding the Redshift functions PostgreSQL lacks; every session has it on its search_path. */
export const COMPAT_SCHEMA = 'redshift_compat';
