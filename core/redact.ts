/** A connection URL fit for a log line or an error message: its password, if any, replaced by ***. */
export const redactPassword = (value: string | undefined) => value?.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
