# Frame injector for the kernel lab. Runs inside the sender namespace, reads batches of Ethernet
# frames on stdin and writes each one to the veth with an AF_PACKET socket.
#
# Why a persistent process: one spawn per lab instead of one per batch (tcpreplay) keeps the
# per-batch cost at a pipe write. Why pinned to one CPU: veth hands each frame to the receiving
# CPU's backlog queue, and only one queue keeps the frames in order, so the sentinel frame the
# lab sends last is processed last.
#
# Input, repeated: u32 frame count, u32 byte count (little endian), then the frames, each as u32
# length + bytes. Output, one line per batch: "ok <sent>" followed by " <index>:<errno>" for each
# frame the kernel refused.
import os
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20


def main() -> None:
    ifname = sys.argv[1]
    if len(sys.argv) > 2:
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {allowed[int(sys.argv[2]) % len(allowed)]})
    # Protocol 0: the socket only sends, so no received frame is ever queued to it.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((ifname, 0))
    # The veth has no qdisc worth going through; bypassing it saves a lock per frame.
    s.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    inp = sys.stdin.buffer
    out = sys.stdout
    send = s.send
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        count, size = struct.unpack('<II', head)
        blob = inp.read(size)
        if len(blob) < size:
            return
        view = memoryview(blob)
        off = 0
        errors = []
        sent = 0
        for i in range(count):
            (n,) = struct.unpack_from('<I', blob, off)
            off += 4
            try:
                send(view[off:off + n])
                sent += 1
            except OSError as e:
                errors.append(f'{i}:{e.errno}')
            off += n
        out.write(' '.join(['ok', str(sent)] + errors) + '\n')
        out.flush()


if __name__ == '__main__':
    main()
