import { assertValidObjectKey } from 'src/storage/object-storage';
import { downloadPartKey, encodeKeySegment, matchesAny, modelFileKey } from './object-keys';

describe('download object keys', () => {
  it.each([
    'model.safetensors',
    'config.json',
    'tokenizer (1).json',
    'ünïcode.bin',
    'a..b',
    '...',
    '.',
    '..',
    'x=y',
    'with space',
  ])('turns %p into a valid, distinct key segment', (name) => {
    const key = modelFileKey('dl', `dir/${name}`);
    expect(() => assertValidObjectKey(key)).not.toThrow();
  });

  it('keeps plain names readable and distinct names distinct', () => {
    expect(encodeKeySegment('model-00001-of-00002.safetensors')).toBe('model-00001-of-00002.safetensors');
    const names = ['a b', 'a=20b', 'a_b', 'a..b', 'a.=2E.b', '.', '..'];
    const encoded = names.map(encodeKeySegment);
    expect(new Set(encoded).size).toBe(names.length);
  });

  it('names parts in order', () => {
    expect(downloadPartKey('d', 'f', 3)).toBe('modelops/downloads/d/f/part-000003');
  });

  it('matches allow-patterns like the hub', () => {
    expect(matchesAny('model.safetensors', ['*.safetensors'])).toBe(true);
    expect(matchesAny('onnx/model.onnx', ['*.safetensors', 'onnx/*'])).toBe(true);
    expect(matchesAny('config.json', ['*.safetensors'])).toBe(false);
    expect(matchesAny('anything', [])).toBe(true);
  });
});
