/**
 * Query strings, read by the parameters' own definitions (src/params.ts): a route names its
 * parameters with `querySchema`, which is what /openapi.json shows, and `compileQuery` (fastify's
 * validator compiler) parses each value with the same function the CLI uses for its flag. ajv's
 * type coercion would take `7.0`, ` 7`, `0x10` or `1e308` for numbers; the CLI takes none of them.
 */
import type { FastifySchemaCompiler } from 'fastify';
import { UsageError } from '../errors.js';
import { PARAMS, type Param } from '../params.js';

/** A route's parameters, with the route's default for each where it has one. */
export type QueryParams = Array<Param<unknown> | [Param<unknown>, unknown]>;

interface QuerySchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  additionalProperties: false;
}

export function querySchema(params: QueryParams, required: string[] = []): QuerySchema {
  const properties: QuerySchema['properties'] = {};
  for (const entry of params) {
    const [param, fallback] = Array.isArray(entry) ? entry : [entry, undefined];
    properties[param.name] = {
      ...param.schema,
      description: fallback === undefined ? param.description : `${param.description.replace(/ \(default[^)]*\)$/, '')} (default ${fallback})`,
      ...(fallback === undefined ? {} : { default: fallback }),
    };
    if (!PARAMS.has(param.name)) throw new Error(`query parameter ${param.name} is not in PARAMS`);
  }
  // An unknown parameter (?day=3) is an error, not silently the default window.
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A query string the server cannot read as asked: 400 with the reason. */
export class BadQuery extends Error {
  readonly statusCode = 400;
}

/** Parses a route's query string by PARAMS; the route's schema gives its names, defaults and required ones. */
export const compileQuery: FastifySchemaCompiler<QuerySchema> = ({ schema, httpPart }) => {
  if (httpPart !== 'querystring') throw new Error(`no validator for the ${httpPart} of a request`);
  const { properties, required } = schema;
  return (query: unknown) => {
    const given = (query ?? {}) as Record<string, unknown>;
    const value: Record<string, unknown> = {};
    for (const name of Object.keys(given)) {
      const param = Object.hasOwn(properties, name) ? PARAMS.get(name) : undefined;
      if (!param) return { error: new BadQuery(`unknown query parameter ${name}`) };
      const text = given[name];
      const texts = param.repeatable && Array.isArray(text) ? text : [text];
      if (!param.repeatable && typeof text !== 'string') return { error: new BadQuery(`query parameter ${name} is given more than once`) };
      try {
        const parsed = texts.map((t) => {
          if (typeof t !== 'string') throw new UsageError(`query parameter ${name} is not a text`);
          return param.parse(t, name);
        });
        value[name] = param.repeatable ? parsed : parsed[0];
      } catch (error) {
        if (error instanceof UsageError) return { error: new BadQuery(error.message) };
        throw error;
      }
    }
    for (const name of required) if (!(name in value)) return { error: new BadQuery(`query parameter ${name} is required`) };
    for (const [name, property] of Object.entries(properties)) if (!(name in value) && 'default' in property) value[name] = property.default;
    return { value };
  };
};
