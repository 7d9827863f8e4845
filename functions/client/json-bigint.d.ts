/** The part of json-bigint (a dependency of @alicloud/pop-core) that ./answer-json.ts replaces. */
declare module 'json-bigint' {
  const jsonBigint: { parse: (source: unknown) => unknown };
  export default jsonBigint;
}
