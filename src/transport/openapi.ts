// The OpenAPI 3.1 document of the REST surface, generated from the service
// descriptors: paths and verbs from google.api.http, schemas from the
// messages, and FastAPI's names and pydantic's constraints from the
// honcho.v3 options. The shapes follow what FastAPI + pydantic v2 emit.
import { getOption, ScalarType, type DescField, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { field as fieldOption, operation as operationOption, schema_additional_properties, schema_description, schema_name, schema_title, type Operation } from "../../gen/honcho/v3/options_pb.js";
import { HTTPValidationErrorSchema } from "../../gen/honcho/v3/messages_pb.js";
import { routesOf } from "./http-rule.js";
import { formFieldsOf } from "./form-reader.js";

type Schema = Record<string, unknown>;
const schemaName = (m: DescMessage) => getOption(m, schema_name) || m.name;
const ref = (m: DescMessage) => ({ $ref: `#/components/schemas/${schemaName(m)}` });

/** The document's info as Honcho's app declares it (src/main.py at the Honcho commit the service follows, ddbb90e3). */
export const HONCHO_API_INFO = {
  title: "Honcho API",
  summary: "The Identity Layer for the Agentic World",
  description: "Honcho is a platform for giving agents user-centric memory and social cognition.",
  contact: { name: "Plastic Labs", url: "https://honcho.dev/", email: "hello@plasticlabs.ai" },
  license: { name: "GNU Affero General Public License v3.0", identifier: "AGPL-3.0-only", url: "https://github.com/plastic-labs/honcho/blob/main/LICENSE" },
  version: "3.0.12",
};

export function buildOpenApi(services: DescService[], info: { title: string; version: string } = HONCHO_API_INFO): Schema {
  const schemas: Record<string, Schema> = {};
  const byName = new Map<string, DescMessage>();

  function messageSchema(m: DescMessage): Schema {
    const name = schemaName(m);
    if (!(name in schemas)) {
      schemas[name] = {}; // reserve first: schemas may refer to themselves
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      for (const f of m.fields) {
        properties[f.name] = fieldSchema(f);
        if (!f.proto.proto3Optional && !getOption(f, fieldOption).hasDefault) required.push(f.name);
      }
      const description = getOption(m, schema_description);
      schemas[name] = {
        properties,
        ...(getOption(m, schema_additional_properties) ? { additionalProperties: true } : {}),
        type: "object",
        ...(required.length ? { required } : {}),
        title: getOption(m, schema_title) || name,
        ...(description ? { description } : {}),
      };
    }
    return ref(m);
  }

  function fieldSchema(f: DescField): Schema {
    const o = getOption(f, fieldOption);
    const named = o.schemaRef ? byName.get(o.schemaRef) : undefined;
    if (o.schemaRef && !named) throw new Error(`${f.parent.typeName}.${f.name}: schema_ref ${o.schemaRef} is no message of the services' files`);
    let base: Schema = named ? messageSchema(named) : o.schemaJson ? (JSON.parse(o.schemaJson) as Schema) : typeSchema(f);
    if (f.fieldKind === "scalar" && f.scalar === ScalarType.STRING) {
      base = { ...base, ...(o.maxLength !== undefined ? { maxLength: o.maxLength } : {}), ...(o.minLength !== undefined ? { minLength: o.minLength } : {}) };
    }
    if (f.fieldKind === "list") {
      base = { ...base, ...(o.maxItems !== undefined ? { maxItems: o.maxItems } : {}), ...(o.minItems !== undefined ? { minItems: o.minItems } : {}) };
    }
    const isRef = "$ref" in base;
    const title = fieldTitle(f);
    const schema = o.nullable ? { anyOf: [base, { type: "null" }] } : base;
    // pydantic titles every field but those whose type is a model of its own
    return { ...schema, ...(isRef ? {} : { title }), ...(o.description ? { description: o.description } : {}) };
  }

  function typeSchema(f: DescField): Schema {
    switch (f.fieldKind) {
      case "scalar":
        return scalarSchema(f.scalar);
      case "enum":
        return { type: "string" };
      case "map":
        return { additionalProperties: f.mapKind === "message" ? (wellKnown(f.message) ?? messageSchema(f.message)) : true, type: "object" };
      case "message":
        return wellKnown(f.message) ?? messageSchema(f.message);
      case "list":
        return {
          items: f.listKind === "scalar" ? scalarSchema(f.scalar) : f.listKind === "enum" ? { type: "string" } : (wellKnown(f.message) ?? messageSchema(f.message)),
          type: "array",
        };
    }
  }

  // A form body (File/Form parameters) as FastAPI documents it: a schema of
  // its own named Body_<operationId>, files as octet-stream strings.
  function formSchema(m: DescMessage, title: string): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const f of m.fields) {
      const bytes = f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES;
      properties[f.name] = bytes ? { type: "string", contentMediaType: "application/octet-stream", title: fieldSchema(f).title } : fieldSchema(f);
      if (!f.proto.proto3Optional && !getOption(f, fieldOption).hasDefault) required.push(f.name);
    }
    schemas[title] = { properties, type: "object", ...(required.length ? { required } : {}), title };
    return { $ref: `#/components/schemas/${title}` };
  }

  // FastAPI's parameters: the path's, then the query's (the request's fields
  // neither in the path nor the body, in declaration order), each with its
  // description twice (on the parameter and in its schema); none: no key.
  function parametersOf(input: DescMessage, pathFields: string[], body: string): { parameters?: Schema[] } {
    const described = (f: DescField) => {
      const description = getOption(f, fieldOption).description;
      return description ? { description } : {};
    };
    const parameters = [
      ...pathFields.map((name) => {
        const f = input.fields.find((x) => x.name === name)!;
        return { name, in: "path", required: true, schema: { ...typeSchema(f), ...described(f), title: fieldSchema(f).title }, ...described(f) };
      }),
      ...(body === "*" ? [] : input.fields.filter((f) => !pathFields.includes(f.name) && f.name !== body)).map((f) => ({
        name: f.name,
        in: "query",
        required: !f.proto.proto3Optional && !getOption(f, fieldOption).hasDefault,
        schema: fieldSchema(f),
        ...described(f),
      })),
    ];
    return parameters.length ? { parameters } : {};
  }

  // FastAPI's requestBody: a form's Body_ schema; a body that is one field
  // of the request (a list's options, a map of members, a list of ids) that
  // field's schema, optional when the field is; else the body model, with
  // the description FastAPI's Body() gave it.
  function requestBodyOf(method: DescMethod, body: string, op: Operation, bodyMessage: DescMessage, operationId: string): Schema {
    if (formFieldsOf(method)) return { required: true, content: { "multipart/form-data": { schema: formSchema(bodyMessage, `Body_${operationId}`) } } };
    const field = body === "*" ? undefined : method.input.fields.find((f) => f.name === body)!;
    const own = field && fieldSchema(field);
    // FastAPI titles a body parameter as pydantic titles fields, but for an optional model too ("Options")
    const schema = own
      ? { ...own, ...("$ref" in own ? {} : { title: fieldTitle(field!) }) }
      : { ...messageSchema(bodyMessage), ...(op.requestBodyDescription ? { description: op.requestBodyDescription } : {}) };
    const required = !field || (!field.proto.proto3Optional && !getOption(field, fieldOption).hasDefault);
    return { ...(required ? { required: true } : {}), content: { "application/json": { schema } } };
  }

  // FastAPI's success response: no content for 204, an empty schema for a
  // route without a response model, the response body field's schema (titled
  // after the operation unless a model's $ref), or the output model.
  function responseSchemaOf(method: DescMethod, route: { successStatus: number; responseBody: string }, op: Operation, operationId: string): Schema | undefined {
    if (route.successStatus === 204) return undefined;
    if (op.responseUntyped) return {};
    const out = route.responseBody ? method.output.fields.find((f) => f.name === route.responseBody)! : undefined;
    if (!out) return messageSchema(method.output);
    const schema = typeSchema(out);
    return "$ref" in schema ? schema : { ...schema, title: `Response ${titleCase(operationId)}` };
  }

  const paths: Record<string, Record<string, Schema>> = {};
  for (const service of services) for (const m of nestedMessages(service)) byName.set(m.typeName, m);
  for (const service of services) {
    for (const method of service.methods) {
      const op = getOption(method, operationOption);
      for (const route of routesOf(method)) {
        const pathFields = [...route.template.matchAll(/\{([^}=]+)/g)].map((x) => x[1]!);
        const operationId = `${op.name}${route.template}`.replace(/\W/g, "_") + `_${route.verb.toLowerCase()}`;
        const bodyMessage = byName.get(op.requestBody) ?? method.input;
        const responseSchema = responseSchemaOf(method, route, op, operationId);
        (paths[route.template] ??= {})[route.verb.toLowerCase()] = {
          tags: op.tags,
          summary: titleCase(op.name || method.name),
          description: op.description,
          operationId,
          ...parametersOf(method.input, pathFields, route.body),
          ...(route.body ? { requestBody: requestBodyOf(method, route.body, op, bodyMessage, operationId) } : {}),
          responses: {
            [String(route.successStatus)]: { description: "Successful Response", ...(responseSchema ? { content: { "application/json": { schema: responseSchema } } } : {}) },
            "422": { description: "Validation Error", content: { "application/json": { schema: messageSchema(HTTPValidationErrorSchema) } } },
          },
          security: [{ HTTPBearer: [] }],
        };
      }
    }
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: { schemas, securitySchemes: { HTTPBearer: { type: "http", scheme: "bearer" } } },
  };
}

function scalarSchema(t: ScalarType): Schema {
  switch (t) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: "number" };
    default:
      return { type: "integer" };
  }
}

function wellKnown(m: DescMessage): Schema | undefined {
  switch (m.typeName) {
    case "google.protobuf.Struct":
      return { additionalProperties: true, type: "object" };
    case "google.protobuf.Timestamp":
      return { type: "string", format: "date-time" };
    case "google.protobuf.Value":
      return {};
    default:
      return undefined;
  }
}

function nestedMessages(service: DescService): DescMessage[] {
  return service.file.messages;
}

const fieldTitle = (f: DescField) => getOption(f, fieldOption).title || titleCase(f.name);

const titleCase = (snake: string) => snake.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
