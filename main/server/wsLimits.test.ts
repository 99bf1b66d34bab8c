import { describe, it, expect } from 'vitest';
import { DEFAULT_WS_LIMITS, describeWsLimits, maxFrameBytes, resolveWsLimits, wsLimits } from './wsLimits';

const MiB = 2 ** 20;

describe('WebSocket limits', () => {
  it('defaults: 2048 MiB per message, 4096 MiB unanswered per connection, 16 MiB text frames', () => {
    expect(resolveWsLimits({}, {})).toEqual(DEFAULT_WS_LIMITS);
    expect(DEFAULT_WS_LIMITS).toEqual({ maxMessageBytes: 2048 * MiB, maxConnectionBytes: 4096 * MiB, maxTextBytes: 16 * MiB });
    expect(maxFrameBytes(DEFAULT_WS_LIMITS)).toBe(2 ** 31 - 1);
  });
  it('flags beat the environment, which beats the defaults', () => {
    const env = { MED3D_WS_MAX_MESSAGE_MB: '64', MED3D_WS_MAX_CONNECTION_MB: '128' };
    expect(resolveWsLimits({}, env)).toEqual({ maxMessageBytes: 64 * MiB, maxConnectionBytes: 128 * MiB, maxTextBytes: 16 * MiB });
    expect(resolveWsLimits({ maxMessageMb: '0.5' }, env)).toEqual({ maxMessageBytes: MiB / 2, maxConnectionBytes: 128 * MiB, maxTextBytes: MiB / 2 });
  });
  it.each([
    [{ maxMessageMb: 'lots' }, {}, '--ws-max-message-mb: lots is not a positive number of MiB'],
    [{ maxConnectionMb: '-1' }, {}, '--ws-max-connection-mb: -1 is not a positive number of MiB'],
    [{}, { MED3D_WS_MAX_MESSAGE_MB: '0' }, 'MED3D_WS_MAX_MESSAGE_MB: 0 is not a positive number of MiB'],
  ])('refuses %j / %j with a one-line error naming the setting', (flags, env, msg) => {
    expect(() => resolveWsLimits(flags, env)).toThrow(msg);
  });
  it('a frame never exceeds the message or connection limit; the banner names the flags', () => {
    expect(maxFrameBytes(wsLimits({ maxMessageBytes: 1000, maxConnectionBytes: 500 }))).toBe(500);
    expect(describeWsLimits(wsLimits({ maxMessageBytes: 64 * MiB }))).toBe(
      'WebSocket limits: 64 MiB per API message, 4096 MiB unanswered per connection, 16 MiB per text frame (--ws-max-message-mb, --ws-max-connection-mb)',
    );
  });
});
