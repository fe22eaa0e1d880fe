/** Field names whose values never reach a log line, wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'key',
  'accessKeyId',
  'secretAccessKey',
  'signature',
  'credential',
  'credentials',
];

export const SECRET_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

const SECRET_QUERY = /([?&](?:signature|token|api_key|apikey|key|access_token)=)[^&]*/gi;

/** A URL fit for a log line: secret-bearing query values replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[Redacted]');
}
