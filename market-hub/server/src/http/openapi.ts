import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { forbidNulInStrings } from "./no-nul.js";

/** OpenAPI 3.1 document at /api/openapi.json, generated from the routes' zod schemas; docs page at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "OpenLEM hub",
        version,
        description:
          "The community market hub: accounts, communities, meters and readings, orders, clearing results, " +
          "statements. Prices are in currency per kWh, energy in Wh, money as decimal strings with 8 decimals " +
          "(see docs/protocol.md). Errors are application/problem+json naming each field and rule.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "access token or device token" },
        },
      },
    },
    transform: jsonSchemaTransform,
    // every string: no NUL character (http/no-nul.ts), said in the document as it is checked
    transformObject: (o) => forbidNulInStrings(jsonSchemaTransformObject(o)),
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs", uiConfig: { docExpansion: "list", deepLinking: true } });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
