// Which microphone the browser phone uses: the audio inputs this browser has (named only once the
// microphone is allowed), and the one chosen, remembered in this browser's storage (a device id, nothing
// about any call). The choice is applied as getUserMedia's exact deviceId.

export interface Microphone {
  deviceId: string;
  label: string;
}

export const MICROPHONE_KEY = 'crisisline.microphone';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function storage(): Store | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage refused (a locked-down profile): the default microphone, every time
  }
}

export function rememberedMicrophone(store: Store | null = storage()): string | null {
  try {
    return store?.getItem(MICROPHONE_KEY) || null;
  } catch {
    return null;
  }
}

export function rememberMicrophone(deviceId: string | null, store: Store | null = storage()): void {
  try {
    if (deviceId) store?.setItem(MICROPHONE_KEY, deviceId);
    else store?.removeItem(MICROPHONE_KEY);
  } catch {
    // not remembered: the choice holds for this tab only
  }
}

// The audio inputs, in the browser's order. Unnamed ones (before permission) are numbered.
export async function listMicrophones(media: Partial<Pick<MediaDevices, 'enumerateDevices'>> | undefined): Promise<Microphone[]> {
  if (!media?.enumerateDevices) return [];
  const devices = await media.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'audioinput' && d.deviceId !== '')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
}

export function microphoneConstraints(deviceId: string | null): MediaStreamConstraints {
  return { audio: deviceId ? { deviceId: { exact: deviceId } } : true, video: false };
}
