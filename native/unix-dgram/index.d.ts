export interface DatagramSocket {
  close(): void;
}
/** Binds a receiving AF_UNIX datagram socket at a file path and calls onMessage for each datagram. */
export function bind(socketPath: string, onMessage: (datagram: Buffer) => void): DatagramSocket;
/** Sends one datagram without blocking; a path starting with '@' names an abstract socket. */
export function send(socketPath: string, data: Buffer): void;
/** Where the compiled addon lies (for checks of which build a process loads). */
export const addonPath: string;
