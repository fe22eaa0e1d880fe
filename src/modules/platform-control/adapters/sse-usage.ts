import type { TokenUsage } from './openai-compatible.adapter';

/**
 * Watches an OpenAI-compatible SSE byte stream as it passes through, unchanged, and reports the
 * usage chunk (`data: {"usage": {...}}`, sent last when `stream_options.include_usage` is on).
 * Lines may be split across chunks: a line buffer keeps the tail until its end arrives.
 */
export async function* observeSseUsage(
  chunks: AsyncIterable<Uint8Array>,
  onUsage: (usage: TokenUsage) => void,
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder();
  let pending = '';
  const scan = (text: string) => {
    pending += text;
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '' || data === '[DONE]') continue;
      try {
        const parsed = JSON.parse(data) as { usage?: TokenUsage | null };
        if (parsed.usage && typeof parsed.usage.prompt_tokens === 'number') onUsage(parsed.usage);
      } catch {
        // not JSON: pass it on untouched
      }
    }
  };
  for await (const chunk of chunks) {
    scan(decoder.decode(chunk, { stream: true }));
    yield chunk;
  }
  scan(decoder.decode() + '\n');
}
