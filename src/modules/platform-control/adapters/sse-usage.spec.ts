import { observeSseUsage } from './sse-usage';

async function* from(parts: string[]) {
  for (const part of parts) yield await Promise.resolve(new TextEncoder().encode(part));
}

describe('observeSseUsage', () => {
  it('passes every byte through and reports the usage chunk even when split across chunks', async () => {
    const parts = [
      'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_',
      'tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n',
      'data: [DONE]\n\n',
    ];
    const usages: unknown[] = [];
    let out = '';
    for await (const chunk of observeSseUsage(from(parts), (u) => usages.push(u)))
      out += new TextDecoder().decode(chunk);
    expect(out).toBe(parts.join(''));
    expect(usages).toEqual([{ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }]);
  });

  it('ignores chunks without usage and non-JSON data', async () => {
    const usages: unknown[] = [];
    for await (const _ of observeSseUsage(from(['data: nope\n\n', 'data: {"usage":null}\n\n']), (u) =>
      usages.push(u),
    )) {
      // drain
    }
    expect(usages).toEqual([]);
  });
});
