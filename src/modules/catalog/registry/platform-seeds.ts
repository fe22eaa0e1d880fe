import type { RegistryKind } from '../catalog.constants';
import { type AgentSpec, type ToolSpec, WORKFLOW_DEFAULTS } from './specs';

/** Web search through the platform MCP gateway (SearXNG behind it); needs the online profile. */
export const WEB_SEARCH_TOOL: ToolSpec = {
  display_name: 'Web search',
  description: 'Search the public web and return the top results with titles, URLs and snippets.',
  status: 'active',
  transport: 'mcp',
  connection_profile_ref: 'default',
  input_schema: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 500, description: 'What to search for' },
      max_results: { type: 'integer', minimum: 1, maximum: 20, default: 5 },
      language: { type: 'string', description: 'Preferred result language (BCP 47), e.g. en' },
    },
    required: ['query'],
    additionalProperties: false,
  },
  output_schema: {
    type: 'object',
    properties: {
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: { title: { type: 'string' }, url: { type: 'string' }, snippet: { type: 'string' } },
          required: ['title', 'url'],
        },
      },
    },
    required: ['results'],
  },
  mcp: { server_id: null, tool_name: 'web_search' },
  sandbox_http: null,
  online_only: true,
};

/** Python in the sandbox execution runtime. */
export const PYTHON_EXEC_TOOL: ToolSpec = {
  display_name: 'Python',
  description: 'Run a short Python 3 program in an isolated sandbox and return its stdout, stderr and exit code.',
  status: 'active',
  transport: 'sandbox_http',
  connection_profile_ref: 'default',
  input_schema: {
    type: 'object',
    properties: {
      code: { type: 'string', minLength: 1, maxLength: 100000, description: 'The program' },
      stdin: { type: 'string', maxLength: 100000 },
      timeout_seconds: { type: 'integer', minimum: 1, maximum: 120, default: 30 },
    },
    required: ['code'],
    additionalProperties: false,
  },
  output_schema: {
    type: 'object',
    properties: { stdout: { type: 'string' }, stderr: { type: 'string' }, exit_code: { type: 'integer' } },
    required: ['stdout', 'stderr', 'exit_code'],
  },
  mcp: null,
  sandbox_http: { operation: 'python.exec', timeout_seconds: 120 },
  online_only: false,
};

/** Chat over the active deployment's knowledge bases, on its default LLM. */
export const KNOWLEDGE_CHAT_AGENT: AgentSpec = {
  display_name: 'Knowledge chat',
  description: "Answers questions from the workspace's knowledge bases, citing its sources.",
  status: 'active',
  system_prompt: [
    "You are Flightdeck's knowledge assistant.",
    'Answer from the retrieved context passages; cite each passage you use as [n].',
    'When the context does not hold the answer, say so plainly instead of guessing.',
    'Use web search only when the user asks about something the knowledge base cannot know, and say when you did.',
  ].join('\n'),
  model_selection: {
    mode: 'deployment_default',
    model_id: null,
    provider: null,
    model: null,
    parameters: { temperature: 0.2 },
  },
  tool_policy: { allowed_tools: ['tool.web_search'] },
  workflow: { ...WORKFLOW_DEFAULTS, max_steps: 6 },
};

/** Seeded on every boot unless present; tools before the agent that allows them. */
export const PLATFORM_SEEDS: { kind: RegistryKind; key: string; spec: ToolSpec | AgentSpec }[] = [
  { kind: 'tool', key: 'tool.web_search', spec: WEB_SEARCH_TOOL },
  { kind: 'tool', key: 'tool.python_exec', spec: PYTHON_EXEC_TOOL },
  { kind: 'agent', key: 'agent.knowledge_chat', spec: KNOWLEDGE_CHAT_AGENT },
];
