import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY, BEARER_SECURITY } from 'src/modules/auth/decorators/auth.decorator';
import {
  CUSTOM_EVENT_PAYLOAD_SCHEMA,
  CUSTOM_EVENT_TYPE,
  EVENT_PAYLOAD_SCHEMAS,
} from 'src/modules/sessions/events/event-types';

/** What each tag of the document is about (Swagger UI shows it above the tag's routes). */
const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'How to authenticate',
  users: 'The caller',
  'api-keys': 'Project API keys (shown once, stored hashed)',
  workspaces: 'Workspaces, members and the audit log',
  projects: 'Projects of a workspace',
  sessions: 'Agent runs and their records',
  traces: 'The trace API: sessions, their ordered event log, operator messaging',
  langsmith: 'LangSmith-compatible API for the official SDKs (x-api-key): info, runs, batch, multipart, feedback',
  dashboard: 'Run dashboards: root runs, run trees, summary',
  otlp: 'OpenTelemetry OTLP/HTTP trace ingestion (JSON and protobuf)',
  modelops: 'ModelOps: managed models and their lifecycle, credentials, catalog, sharing, discovery and downloads',
  platform: 'Platform control plane: providers, deployment profiles, activation, runtime profile, data-plane proofs',
  models: 'Inference through the active deployment (streaming passed through)',
  runtime: 'Runtime profile: online or offline (offline fails closed for cloud providers)',
  artifacts: 'Replays, screenshots and files of a session, downloaded only through short-lived signed URLs',
  analysis:
    "Deterministic detectors over a session's ordered events: labels, confidences, evidence, critical step and the " +
    'digest of the input. Every detector, its labels, critical step, signature and thresholds: ' +
    '[docs/detectors.md](docs/detectors.md) (in the repository, next to openapi.json)',
  incidents: 'Incident clusters: the same failure (detector and signature) across the sessions of a workspace',
  health: 'Health, readiness, liveness and metrics',
  storage: 'Signed object downloads',
};

/**
 * The event types and the JSON Schema of each payload, as components `EventPayload_<type>`
 * (custom namespaced types: `EventPayload_custom`), so generated clients and readers see them.
 */
function addEventPayloadSchemas(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  for (const [type, schema] of Object.entries(EVENT_PAYLOAD_SCHEMAS)) {
    schemas[`EventPayload_${type}`] = { ...schema, title: `Payload of "${type}" events` };
  }
  schemas.EventPayload_custom = {
    ...CUSTOM_EVENT_PAYLOAD_SCHEMA,
    title: `Payload of custom events; their type matches ${CUSTOM_EVENT_TYPE.source}`,
  };
}

function addTagDescriptions(document: OpenAPIObject): void {
  const used = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { tags?: string[] }>)) {
      for (const tag of operation?.tags ?? []) used.add(tag);
    }
  }
  document.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
}

/** Keys of an object, sorted recursively, so the written document is stable across runs. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Flightdeck API')
    .setDescription(
      'Self-hosted backend for operating AI agents: traces, sessions, live stream, incidents, training data and model governance. ' +
        'Errors are RFC 9457 problem+json; every response carries X-Request-ID.',
    )
    .setVersion('1.0')
    .setLicense('UNLICENSED', 'https://flightdeck.dev/license')
    .addServer('/', 'This server')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Project API key `tp_live_...`' },
      API_KEY_SECURITY,
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'SSO (OIDC) JWT, or an API key as a bearer token' },
      BEARER_SECURITY,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  addEventPayloadSchemas(document);
  addTagDescriptions(document);
  return sortKeys(document) as OpenAPIObject;
}

export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
