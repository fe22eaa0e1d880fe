import type { RunEventInput, RunInput } from 'src/modules/traces/runs/runs.types';
import { extractGenAi, type GenAiFacts, langsmithMetadataOf, tagsOf } from './otlp-genai';
import { isSpanIdHex, isTraceIdHex, spanIdToUuid, traceIdToUuid } from './otlp-ids';
import type { OtlpAttributes, OtlpExportRequest, OtlpScope, OtlpSpan, SpanRejection } from './otlp.types';

/**
 * OTLP spans → LangSmith-style runs (`RunInput`) plus typed session events (`RunEventInput`).
 * Pure: no I/O, no clock; the same request always maps to the same runs and events.
 *
 * Identity
 * - `trace_id` (and so the session) = `traceIdToUuid(traceId)`; run `id` =
 *   `spanIdToUuid(traceId, spanId)`; `parent_run_id` = the same function of `parentSpanId`, null
 *   for a span without one. A root span's run id is therefore *not* the trace id: a child often
 *   arrives before its parent and must name the parent's id without knowing whether it is the
 *   root. The root is the run whose `parent_run_id` is null.
 * - `dotted_order` follows COMPAT.md (per ancestor: start time without `-`, `:`, `.`, then the
 *   run id; joined by `.` from the root). It is set only when the whole chain up to a root span
 *   is in this request (a BatchSpanProcessor flush usually sends a whole trace); otherwise it
 *   is left out, as the run layer allows: the tree stays whole through `parent_run_id`.
 *
 * Fields
 * - name: `langsmith.trace.name`, else the span name (cut at 1000 characters, the run limit).
 * - run_type: see `otlp-genai.ts` (LangSmith kind, GenAI operation, OpenInference kind,
 *   OpenLLMetry), else `chain`.
 * - start/end: unix nanoseconds → ISO-8601 UTC with microseconds; an end of 0 is a running run.
 * - error (status ERROR only): the status message, else the first `exception` event's
 *   `exception.message`, else its `exception.type`, else "error". OK/UNSET → no error.
 * - inputs/outputs: see `otlp-genai.ts`; a non-object value sits under `input`/`output`. An llm
 *   run's token usage is added to its outputs as `usage_metadata` (LangChain's place for it).
 * - tags: `langsmith.span.tags`, OpenInference `tag.tags`.
 * - session_name (the project): span `langsmith.trace.session_name`, else resource
 *   `langsmith.project`; absent otherwise (the run layer's default project). `service.name` is
 *   the agent, not the project: it goes to `extra.metadata.service_name` (and `agent_name`,
 *   unless `gen_ai.agent.name` says otherwise), since a key pinned to a project may not write to
 *   another one.
 * - extra.metadata: `langsmith.metadata.*` (prefix removed), `ls_provider`, `ls_model_name`,
 *   `usage_metadata` (LangSmith's names), `agent_name`, `service_name`, `service_version`, and
 *   `otel`: ids in hex, kind, status, scope, resource attributes, every span attribute whose
 *   content did not become inputs/outputs (unknown ones included), the span events not turned
 *   into messages, links and dropped counts. Nothing the exporter sent is dropped.
 *
 * Typed events (keys `otel:<span hex>:<type>`, or `...:event:<i>` for span events; `timestamp`
 * the span's start for calls, its end for results, the span event's time for errors):
 * - llm runs: `llm.call` {call_id: run id, model (request model, else response model, else
 *   "unknown": the schema requires one), messages | prompt, parameters, tools}; when ended,
 *   `llm.result` {call_id, model, message (first output message), output, usage, finish_reason,
 *   latency_ms}.
 * - tool runs: `tool.call` {call_id: `gen_ai.tool.call.id` else run id, tool (`gen_ai.tool.name`,
 *   `tool.name`, else the span name), arguments (an object; a non-object value under `input`)};
 *   when ended, `tool.result` {call_id, tool, status ok|error, output | error, latency_ms}.
 * - every `exception` span event: `error` {message, kind, stack}.
 *
 * Refused spans (→ `partial_success`): a trace id that is not 16 bytes or is all zero, a span
 * id not 8 bytes or all zero, a malformed parent span id, no start time, an end before the
 * start, a time outside years 1970-9999. A span sent twice in one request is kept once (the
 * later copy).
 */

export interface OtlpMapping {
  runs: RunInput[];
  /** Typed events per run id, in the order they happened. */
  events: Map<string, RunEventInput[]>;
  rejected: SpanRejection[];
}

interface MappedSpan {
  run: RunInput;
  events: RunEventInput[];
  /** For dotted orders: the run's own segment. */
  segment: string;
}

const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

const MAX_NANOS = BigInt(Date.UTC(9999, 11, 31, 23, 59, 59, 999)) * 1_000_000n + 999_999n;

/** Unix nanoseconds → `2025-01-01T12:00:00.123456Z`; null when absent or out of range. */
export function nanosToIso(nanos: string): string | null {
  if (!/^\d+$/.test(nanos)) return null;
  const n = BigInt(nanos);
  if (n === 0n || n > MAX_NANOS) return null;
  const millisIso = new Date(Number(n / 1_000_000n)).toISOString();
  const micros = ((n / 1_000n) % 1_000_000n).toString().padStart(6, '0');
  return `${millisIso.slice(0, 19)}.${micros}Z`;
}

const truncate = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);

class Rejection extends Error {}

function errorOf(span: OtlpSpan): string | null {
  if (span.status.code !== 2) return null;
  if (span.status.message) return span.status.message;
  const exception = span.events.find((e) => e.name === 'exception');
  return str(exception?.attributes['exception.message']) ?? str(exception?.attributes['exception.type']) ?? 'error';
}

function extraOf(
  span: OtlpSpan,
  facts: GenAiFacts,
  resource: OtlpAttributes,
  scope: OtlpScope,
  resourceSchemaUrl: string,
): Record<string, unknown> {
  const kept: OtlpAttributes = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (!facts.consumedAttributes.has(k))
      Object.defineProperty(kept, k, { value: v, enumerable: true, writable: true });
  }
  const events = span.events
    .filter((_, i) => !facts.consumedEvents.has(i))
    .map((e) => ({ name: e.name, time: nanosToIso(e.timeUnixNano), attributes: e.attributes }));
  const dropped =
    span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount
      ? { attributes: span.droppedAttributesCount, events: span.droppedEventsCount, links: span.droppedLinksCount }
      : undefined;
  const serviceName = str(resource['service.name']);
  const agentName = str(span.attributes['gen_ai.agent.name']) ?? serviceName;
  const otel = {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId || null,
    ...(span.traceState ? { trace_state: span.traceState } : {}),
    kind: SPAN_KIND_NAMES[span.kind] ?? SPAN_KIND_NAMES[0],
    status: { code: STATUS_NAMES[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
    scope: {
      name: scope.name,
      ...(scope.version ? { version: scope.version } : {}),
      ...(Object.keys(scope.attributes).length > 0 ? { attributes: scope.attributes } : {}),
    },
    resource: { attributes: resource, ...(resourceSchemaUrl ? { schema_url: resourceSchemaUrl } : {}) },
    attributes: kept,
    ...(events.length > 0 ? { events } : {}),
    ...(span.links.length > 0
      ? {
          links: span.links.map((l) => ({
            trace_id: l.traceId,
            span_id: l.spanId,
            ...(l.traceState ? { trace_state: l.traceState } : {}),
            ...(Object.keys(l.attributes).length > 0 ? { attributes: l.attributes } : {}),
          })),
        }
      : {}),
    ...(dropped ? { dropped } : {}),
  };
  const model = facts.responseModel ?? facts.requestModel;
  const metadata = {
    ...langsmithMetadataOf(span.attributes),
    ...(facts.provider ? { ls_provider: facts.provider } : {}),
    ...(model ? { ls_model_name: model } : {}),
    ...(facts.usage ? { usage_metadata: facts.usage } : {}),
    ...(agentName ? { agent_name: agentName } : {}),
    ...(serviceName ? { service_name: serviceName } : {}),
    ...(str(resource['service.version']) ? { service_version: resource['service.version'] } : {}),
    otel,
  };
  return { metadata };
}

function typedEvents(span: OtlpSpan, run: RunInput, facts: GenAiFacts, latencyMs: number | null): RunEventInput[] {
  const runId = run.id;
  const key = (suffix: string) => `otel:${span.spanId}:${suffix}`;
  const ended = run.end_time !== null && run.end_time !== undefined;
  const failed = run.error !== null && run.error !== undefined;
  const latency = latencyMs !== null ? { latency_ms: latencyMs } : {};
  const events: RunEventInput[] = [];
  /** Results come after the errors the span recorded (their order in time). */
  const results: RunEventInput[] = [];

  if (run.run_type === 'llm') {
    const inputs = run.inputs ?? {};
    const messages =
      facts.inputMessages ??
      (Array.isArray(inputs.messages) && inputs.messages.every((m) => typeof m === 'object' && m && !Array.isArray(m))
        ? (inputs.messages as Record<string, unknown>[])
        : null);
    const prompt = messages ? null : (str(inputs.prompt) ?? str(inputs.input));
    events.push({
      type: 'llm.call',
      key: key('llm.call'),
      timestamp: run.start_time as string,
      payload: {
        call_id: runId,
        model: truncate(facts.requestModel ?? facts.responseModel ?? 'unknown', 200),
        ...(messages ? { messages } : {}),
        ...(prompt ? { prompt } : {}),
        ...(facts.parameters ? { parameters: facts.parameters } : {}),
        ...(facts.toolDefinitions ? { tools: facts.toolDefinitions } : {}),
      },
    });
    if (ended) {
      const model = facts.responseModel ?? facts.requestModel;
      const message = facts.outputMessages?.[0];
      results.push({
        type: 'llm.result',
        key: key('llm.result'),
        timestamp: run.end_time as string,
        payload: {
          call_id: runId,
          ...(model ? { model: truncate(model, 200) } : {}),
          ...(message ? { message } : {}),
          ...(run.outputs ? { output: run.outputs } : {}),
          ...(facts.usage ? { usage: facts.usage } : {}),
          ...(facts.finishReason ? { finish_reason: truncate(facts.finishReason, 100) } : {}),
          ...latency,
        },
      });
    }
  }

  if (run.run_type === 'tool') {
    const callId = facts.toolCallId && facts.toolCallId.length <= 200 ? facts.toolCallId : runId;
    const tool = truncate(facts.toolName ?? run.name ?? 'tool', 200);
    events.push({
      type: 'tool.call',
      key: key('tool.call'),
      timestamp: run.start_time as string,
      payload: { call_id: callId, tool, arguments: run.inputs ?? {} },
    });
    if (ended) {
      const output =
        run.outputs && Object.keys(run.outputs).length === 1 && 'output' in run.outputs
          ? run.outputs.output
          : run.outputs;
      results.push({
        type: 'tool.result',
        key: key('tool.result'),
        timestamp: run.end_time as string,
        payload: {
          call_id: callId,
          tool,
          status: failed ? 'error' : 'ok',
          ...(failed ? { error: truncate(run.error as string, 10000) } : {}),
          ...(output !== null && output !== undefined ? { output } : {}),
          ...latency,
        },
      });
    }
  }

  span.events.forEach((event, i) => {
    if (event.name !== 'exception') return;
    const a = event.attributes;
    const message = str(a['exception.message']) ?? str(a['exception.type']) ?? 'exception';
    const time = nanosToIso(event.timeUnixNano);
    events.push({
      type: 'error',
      key: key(`event:${i}`),
      ...(time ? { timestamp: time } : {}),
      payload: {
        message: truncate(message, 20000),
        ...(str(a['exception.type']) ? { kind: truncate(a['exception.type'] as string, 200) } : {}),
        ...(str(a['exception.stacktrace']) ? { stack: truncate(a['exception.stacktrace'] as string, 50000) } : {}),
      },
    });
  });
  return [...events, ...results];
}

/**
 * An llm run's token use also goes into its outputs as `usage_metadata` (where LangChain and
 * LangSmith put it, and where the run layer reads it for `run.end`), unless the outputs have one.
 */
function outputsOf(facts: GenAiFacts): Record<string, unknown> | null {
  if (facts.runType !== 'llm' || !facts.usage || (facts.outputs && 'usage_metadata' in facts.outputs)) {
    return facts.outputs;
  }
  return { ...(facts.outputs ?? {}), usage_metadata: facts.usage };
}

/** One span → one run and its typed events; throws `Rejection` for a span it must refuse. */
function mapSpan(span: OtlpSpan, resource: OtlpAttributes, resourceSchemaUrl: string, scope: OtlpScope): MappedSpan {
  if (!isTraceIdHex(span.traceId)) throw new Rejection('traceId must be 16 bytes (32 hex digits), not all zero');
  if (!isSpanIdHex(span.spanId)) throw new Rejection('spanId must be 8 bytes (16 hex digits), not all zero');
  if (span.parentSpanId && !isSpanIdHex(span.parentSpanId)) {
    throw new Rejection('parentSpanId must be empty or 8 bytes (16 hex digits), not all zero');
  }
  const start = nanosToIso(span.startTimeUnixNano);
  if (!start) throw new Rejection('startTimeUnixNano is required (unix nanoseconds, years 1970-9999)');
  const hasEnd = span.endTimeUnixNano !== '' && span.endTimeUnixNano !== '0';
  const end = hasEnd ? nanosToIso(span.endTimeUnixNano) : null;
  if (hasEnd && !end) throw new Rejection('endTimeUnixNano is outside years 1970-9999');
  const latencyNanos = hasEnd ? BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano) : null;
  if (latencyNanos !== null && latencyNanos < 0n) throw new Rejection('endTimeUnixNano is before startTimeUnixNano');

  const facts = extractGenAi(span);
  const id = spanIdToUuid(span.traceId, span.spanId);
  const tags = tagsOf(span.attributes);
  const sessionName = str(span.attributes['langsmith.trace.session_name']) ?? str(resource['langsmith.project']);
  const run: RunInput = {
    id,
    trace_id: traceIdToUuid(span.traceId),
    parent_run_id: span.parentSpanId ? spanIdToUuid(span.traceId, span.parentSpanId) : null,
    name: truncate(str(span.attributes['langsmith.trace.name']) ?? (span.name || 'span'), 1000),
    run_type: facts.runType,
    start_time: start,
    end_time: end,
    inputs: facts.inputs,
    outputs: outputsOf(facts),
    error: errorOf(span),
    extra: extraOf(span, facts, resource, scope, resourceSchemaUrl),
    ...(tags.length > 0 ? { tags } : {}),
    ...(sessionName ? { session_name: sessionName } : {}),
  };
  const latencyMs = latencyNanos !== null ? Number(latencyNanos) / 1e6 : null;
  return { run, events: typedEvents(span, run, facts, latencyMs), segment: `${start.replace(/[-:.]/g, '')}${id}` };
}

/** Dotted orders for the runs whose whole ancestry is in the batch (see the file comment). */
function assignDottedOrders(mapped: Map<string, MappedSpan>): void {
  const memo = new Map<string, string | null>();
  const resolve = (id: string, depth: number): string | null => {
    if (memo.has(id)) return memo.get(id) ?? null;
    const m = mapped.get(id);
    if (!m || depth > 1000) return null;
    const parent = m.run.parent_run_id;
    const order = !parent
      ? m.segment
      : (() => {
          const above = resolve(parent, depth + 1);
          return above ? `${above}.${m.segment}` : null;
        })();
    memo.set(id, order);
    return order;
  };
  for (const [id, m] of mapped) {
    const order = resolve(id, 0);
    if (order) m.run.dotted_order = order;
  }
}

/** Maps a whole decoded request. */
export function mapExportRequest(request: OtlpExportRequest): OtlpMapping {
  const mapped = new Map<string, MappedSpan>();
  const rejected: SpanRejection[] = [];
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        try {
          const m = mapSpan(span, rs.resource.attributes, rs.schemaUrl, ss.scope);
          mapped.delete(m.run.id); // a later copy of the same span replaces the earlier one
          mapped.set(m.run.id, m);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          rejected.push({ traceId: span.traceId || null, spanId: span.spanId || null, reason: e.message });
        }
      }
    }
  }
  assignDottedOrders(mapped);
  const events = new Map<string, RunEventInput[]>();
  for (const [id, m] of mapped) if (m.events.length > 0) events.set(id, m.events);
  return { runs: [...mapped.values()].map((m) => m.run), events, rejected };
}
