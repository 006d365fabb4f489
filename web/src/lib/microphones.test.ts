import { describe, expect, it } from 'vitest';
import { listMicrophones, MICROPHONE_KEY, microphoneConstraints, rememberedMicrophone, rememberMicrophone } from './microphones';

function memoryStore() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

describe('microphones', () => {
  it('lists the audio inputs only, numbering those the browser has not named yet', async () => {
    const devices = [
      { kind: 'audioinput', deviceId: 'default', label: 'Default - Headset' },
      { kind: 'videoinput', deviceId: 'cam', label: 'Camera' },
      { kind: 'audioinput', deviceId: 'usb', label: '' },
      { kind: 'audiooutput', deviceId: 'spk', label: 'Speakers' },
      { kind: 'audioinput', deviceId: '', label: '' }, // before permission: no id to choose by
    ] as MediaDeviceInfo[];
    const list = await listMicrophones({ enumerateDevices: () => Promise.resolve(devices) });
    expect(list).toEqual([{ deviceId: 'default', label: 'Default - Headset' }, { deviceId: 'usb', label: 'Microphone 2' }]);
    expect(await listMicrophones(undefined)).toEqual([]);
  });

  it('remembers the choice in this browser and forgets it on request', () => {
    const store = memoryStore();
    expect(rememberedMicrophone(store)).toBeNull();
    rememberMicrophone('usb', store);
    expect(store.items.get(MICROPHONE_KEY)).toBe('usb');
    expect(rememberedMicrophone(store)).toBe('usb');
    rememberMicrophone(null, store);
    expect(rememberedMicrophone(store)).toBeNull();
    // A store that throws (storage refused) is no choice, not a failure.
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => undefined };
    expect(rememberedMicrophone(refusing)).toBeNull();
    expect(() => rememberMicrophone('usb', refusing)).not.toThrow();
  });

  it('asks for exactly the chosen device, or any microphone', () => {
    expect(microphoneConstraints('usb')).toEqual({ audio: { deviceId: { exact: 'usb' } }, video: false });
    expect(microphoneConstraints(null)).toEqual({ audio: true, video: false });
  });
});
