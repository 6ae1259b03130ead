/**
 * The admin API's schema language: a small subset of JSON Schema 2020-12 (the dialect of OpenAPI 3.1), written
 * once per route and used twice: `check` validates a request against it, `toJsonSchema` prints it into
 * `/admin/v1/openapi.json`. The builders carry the validated value's TypeScript type, so a handler reads a
 * typed body. `format` is an annotation only, as in JSON Schema 2020-12 §7.2: the use cases check URIs and
 * addresses themselves, and their errors name the field all the same.
 * @see https://json-schema.org/draft/2020-12/json-schema-validation
 */

declare const OUT: unique symbol;

interface Common {
  description?: string;
  /** `null` is accepted too (OpenAPI 3.1: `type: [..., "null"]`). */
  nullable?: boolean;
}

export interface StringNode extends Common {
  type: 'string';
  minLength?: number;
  maxLength?: number;
  enum?: readonly string[];
  format?: 'uri' | 'email' | 'uuid';
}

export interface IntegerNode extends Common {
  type: 'integer';
  minimum?: number;
  maximum?: number;
}

export interface BooleanNode extends Common {
  type: 'boolean';
}

export interface ArrayNode extends Common {
  type: 'array';
  items: Node;
  maxItems?: number;
}

export interface ObjectNode extends Common {
  type: 'object';
  properties: Readonly<Record<string, Node>>;
  required: readonly string[];
  /** Unknown members are refused, naming the member. */
  additionalProperties: false;
  /** Printed once under `components.schemas` and referred to by `$ref`. */
  name?: string;
}

/** A free-form JSON object (an audit event's `detail`): only ever answered, never read. */
export interface MapNode extends Common {
  type: 'object';
  additionalProperties: true;
}

export type Node = StringNode | IntegerNode | BooleanNode | ArrayNode | ObjectNode | MapNode;

/** A schema node that validates to an `Out`. */
export type Schema<Out> = Node & { readonly [OUT]?: Out };
export type ObjectSchema<Out> = ObjectNode & { readonly [OUT]?: Out };
export type Infer<S> = S extends { readonly [OUT]?: infer O } ? O : never;

type Props = Record<string, Schema<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOut<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

type Options<N> = Omit<N, 'type' | 'nullable' | 'items' | 'properties' | 'required' | 'additionalProperties'>;

export const s = {
  string: (o: Options<StringNode> = {}): Schema<string> => ({ type: 'string', ...o }),
  enum: <const E extends readonly string[]>(values: E, o: Options<StringNode> = {}): Schema<E[number]> => ({
    type: 'string',
    enum: values,
    ...o,
  }),
  integer: (o: Options<IntegerNode> = {}): Schema<number> => ({ type: 'integer', ...o }),
  boolean: (o: Options<BooleanNode> = {}): Schema<boolean> => ({ type: 'boolean', ...o }),
  array: <I>(items: Schema<I>, o: Options<ArrayNode> = {}): Schema<I[]> => ({ type: 'array', items, ...o }),
  object: <P extends Props, R extends keyof P & string = never>(
    properties: P,
    required: readonly R[] = [],
    o: Options<ObjectNode> = {},
  ): ObjectSchema<ObjectOut<P, R>> => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
    ...o,
  }),
  map: (o: Options<MapNode> = {}): Schema<Record<string, unknown>> => ({
    type: 'object',
    additionalProperties: true,
    ...o,
  }),
  nullable: <O>(node: Schema<O>): Schema<O | null> => ({ ...node, nullable: true }),
};

/** A request member that breaks its schema: 400 `invalid_request` naming the member (`field`). */
export class InvalidMember extends Error {
  override name = 'InvalidMember';
  constructor(
    readonly field: string | undefined,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

function kind(node: Node): string {
  const base =
    node.type === 'boolean' ? 'true or false' : node.type === 'array' ? 'an array' : article(node.type);
  return node.nullable ? `${base} or null` : base;
}

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : article(typeof value);

/**
 * Validates `value` against `node` and returns it (a fresh object for objects: only the known members are
 * copied). The first failure throws `InvalidMember`: `field` is the top-level member it belongs to, `path`
 * (in the text) the exact place, e.g. `redirect_uris[2]`.
 */
export function check<O>(node: Schema<O>, value: unknown, field?: string, path = field): O {
  return checkNode(node, value, field, path ?? 'the body') as O;
}

function checkNode(node: Node, value: unknown, field: string | undefined, path: string): unknown {
  const fail = (problem: string) => new InvalidMember(field, `"${path}" ${problem}`);
  if (value === null) {
    if (node.nullable) return null;
    throw fail(`must be ${kind(node)}, not null`);
  }
  switch (node.type) {
    case 'string': {
      if (typeof value !== 'string') throw fail(`must be ${kind(node)}, not ${typeOf(value)}`);
      if (node.enum && !node.enum.includes(value)) throw fail(`must be one of ${node.enum.join(', ')}`);
      const length = [...value].length;
      if (node.minLength !== undefined && length < node.minLength)
        throw fail(
          node.minLength === 1 ? 'must not be empty' : `must be at least ${node.minLength} characters`,
        );
      if (node.maxLength !== undefined && length > node.maxLength)
        throw fail(`must be at most ${node.maxLength} characters`);
      return value;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw fail(`must be ${kind(node)}, not ${typeof value === 'number' ? String(value) : typeOf(value)}`);
      if (
        (node.minimum !== undefined && value < node.minimum) ||
        (node.maximum !== undefined && value > node.maximum)
      )
        throw fail(`must be ${range(node)}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw fail(`must be true or false, not ${typeOf(value)}`);
      return value;
    case 'array': {
      if (!Array.isArray(value)) throw fail(`must be ${kind(node)}, not ${typeOf(value)}`);
      if (node.maxItems !== undefined && value.length > node.maxItems)
        throw fail(`must have at most ${node.maxItems} items`);
      return value.map((item, i) => checkNode(node.items, item, field, `${path}[${i}]`));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value))
        throw fail(`must be ${kind(node)}, not ${typeOf(value)}`);
      if (node.additionalProperties) return value;
      return checkMembers(node, value as Record<string, unknown>, field, path);
    }
  }
}

function checkMembers(
  node: ObjectNode,
  value: Record<string, unknown>,
  field: string | undefined,
  path: string,
): Record<string, unknown> {
  const top = field === undefined;
  const name = (key: string) => (top ? key : `${path}.${key}`);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(node.properties, key))
      throw new InvalidMember(top ? key : field, `"${name(key)}" is not a member this request accepts`);
  }
  for (const key of node.required) {
    if (value[key] === undefined) throw new InvalidMember(top ? key : field, `"${name(key)}" is required`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties)) {
    if (!Object.hasOwn(value, key) || value[key] === undefined) continue;
    out[key] = checkNode(child, value[key], top ? key : field, name(key));
  }
  return out;
}

function range(node: IntegerNode): string {
  if (node.minimum !== undefined && node.maximum !== undefined)
    return `an integer from ${node.minimum} to ${node.maximum}`;
  if (node.minimum !== undefined) return `an integer of at least ${node.minimum}`;
  return `an integer of at most ${node.maximum}`;
}

/**
 * Query and path parameters arrive as strings: an integer or boolean member is read from its decimal or
 * `true`/`false` spelling first, then checked like a body (an empty value counts as absent, RFC 6749 §3.1's
 * convention here too).
 */
export function checkParams<O>(node: ObjectSchema<O>, entries: Iterable<[string, string]>): O {
  const raw: Record<string, unknown> = {};
  for (const [key, text] of entries) {
    if (Object.hasOwn(raw, key)) throw new InvalidMember(key, `"${key}" must not be repeated`);
    const member = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
    if (!member) throw new InvalidMember(key, `"${key}" is not a parameter this request accepts`);
    if (text === '') {
      raw[key] = undefined;
      continue;
    }
    raw[key] = fromText(member, text);
  }
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  return check(node, raw);
}

function fromText(node: Node, text: string): unknown {
  if (node.type === 'integer') return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
  if (node.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** The `components.schemas` a document collects while its operations are printed. */
export class Components {
  readonly schemas = new Map<string, Record<string, unknown>>();

  /** The `$ref` of a named object, printing it the first time; one name is one schema. */
  ref(node: ObjectNode & { name: string }): Record<string, unknown> {
    const printed = plain({ ...node, nullable: false }, this);
    const seen = this.schemas.get(node.name);
    if (!seen) this.schemas.set(node.name, printed);
    else if (JSON.stringify(seen) !== JSON.stringify(printed))
      throw new Error(`two different schemas are named ${node.name}`);
    return { $ref: `#/components/schemas/${node.name}` };
  }
}

/** JSON Schema (OpenAPI 3.1) for a node; named objects go to `components` and come back as a `$ref`. */
export function toJsonSchema(node: Node, components: Components): Record<string, unknown> {
  if (node.type === 'object' && !node.additionalProperties && node.name) {
    const ref = components.ref(node as ObjectNode & { name: string });
    return node.nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  return plain(node, components);
}

function plain(node: Node, components: Components): Record<string, unknown> {
  const type = node.nullable ? [node.type, 'null'] : node.type;
  const out: Record<string, unknown> = { type };
  if (node.description) out['description'] = node.description;
  switch (node.type) {
    case 'string':
      if (node.enum) out['enum'] = node.nullable ? [...node.enum, null] : [...node.enum];
      if (node.minLength !== undefined) out['minLength'] = node.minLength;
      if (node.maxLength !== undefined) out['maxLength'] = node.maxLength;
      if (node.format) out['format'] = node.format;
      break;
    case 'integer':
      if (node.minimum !== undefined) out['minimum'] = node.minimum;
      if (node.maximum !== undefined) out['maximum'] = node.maximum;
      break;
    case 'boolean':
      break;
    case 'array':
      out['items'] = toJsonSchema(node.items, components);
      if (node.maxItems !== undefined) out['maxItems'] = node.maxItems;
      break;
    case 'object':
      if (node.additionalProperties) {
        out['additionalProperties'] = true;
        break;
      }
      out['properties'] = Object.fromEntries(
        Object.entries(node.properties).map(([k, v]) => [k, toJsonSchema(v, components)]),
      );
      if (node.required.length) out['required'] = [...node.required];
      out['additionalProperties'] = false;
      break;
  }
  return out;
}
