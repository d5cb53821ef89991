/**
 * The part of the Standard Schema interface (https://standardschema.dev, version 1) that troopy
 * reads: zod 4, valibot, arktype and every other library that implements the standard fit it.
 *
 * troopy declares it itself instead of importing `@standard-schema/spec`, so the published
 * declarations need no dependency: the interface is structural, and any schema object that
 * implements the standard is assignable to it.
 */
export interface StandardSchema {
  /** The standard's properties, under the key every implementation uses. */
  readonly '~standard': {
    /** The version of the standard; 1 today. */
    readonly version: 1;
    /** The library the schema comes from, such as `zod`. */
    readonly vendor: string;
    /** Validates a value, at once or with a promise. */
    readonly validate: (value: unknown) => StandardSchemaResult | Promise<StandardSchemaResult>;
  };
}

/** What a Standard Schema's `validate` answers: the output value, or the issues found. */
export type StandardSchemaResult = { readonly value: unknown; readonly issues?: undefined } | { readonly issues: readonly StandardSchemaIssue[] };

/** One problem a Standard Schema found in a value. */
export interface StandardSchemaIssue {
  /** What is wrong, in the schema library's words. */
  readonly message: string;
  /** Where in the value, as keys or `{ key }` segments; absent for the value itself. */
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}
