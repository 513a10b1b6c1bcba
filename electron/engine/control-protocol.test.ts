import { describe, expect, it } from 'vitest';
import { encodeData, encodeJson, FRAME_DATA, FRAME_JSON, FrameDecoder } from './control-protocol';

describe('control protocol frames', () => {
  it('reassembles frames split at every byte boundary', () => {
    const stream = Buffer.concat([encodeJson({ op: 'stop' }), encodeData(Buffer.from([0, 255, 10, 13])), encodeJson({ op: 'status' })]);
    const frames: [number, string][] = [];
    const decoder = new FrameDecoder((type, payload) => frames.push([type, type === FRAME_JSON ? payload.toString() : payload.toString('hex')]));
    for (let i = 0; i < stream.length; i++) decoder.push(stream.subarray(i, i + 1));
    expect(frames).toEqual([
      [FRAME_JSON, '{"op":"stop"}'],
      [FRAME_DATA, '00ff0a0d'],
      [FRAME_JSON, '{"op":"status"}'],
    ]);
  });

  it('rejects a frame larger than the limit instead of buffering it', () => {
    const header = Buffer.from([FRAME_DATA, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => new FrameDecoder(() => undefined).push(header)).toThrow(/exceeds the limit/);
  });
});
