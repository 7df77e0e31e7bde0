/**
 * One data-driven schema case, in the style of ajv's and the JSON-Schema-Test-Suite's
 * `{description, data, valid}`. A rejection names the instance path every error must point at,
 * so a case cannot pass because the data broke some other rule than the one it is about.
 */
export type SchemaCase =
  | { readonly description: string; readonly data: unknown; readonly valid: true }
  | {
      readonly description: string;
      readonly data: unknown;
      readonly valid: false;
      /** JSON Pointer (ajv `instancePath`) of the member at fault; `''` for the body itself. */
      readonly errorAt: string;
    };
