# A host of the kernel lab's multi-namespace scenarios (PPTP, NAT). Runs inside one namespace and
# does what Node asks on stdin, one JSON object a line, and reports on stdout, one JSON object a
# line. Node decides every byte sent (lab/pptp-wire.ts builds the PPTP messages and the GRE
# datagrams); this process only owns the sockets, which must live in the namespace.
#
# Requests (each with "req", answered by {"ev":"ok","req":n,...} or {"ev":"error","req":n,"msg":..}):
#   {"op":"listen","addr":A,"port":P}             TCP server; each connection is reported as
#                                                  {"ev":"accept","conn":"aN","peer":"ip:port","local":"ip:port"}
#   {"op":"connect","conn":C,"src":A,"dst":B,"port":P}   TCP client bound to source address A
#   {"op":"send","conn":C,"hex":H}                 write bytes on a connection (TCP_NODELAY)
#   {"op":"close","conn":C,"reset":true|false}     close (with an RST when reset)
#   {"op":"gre","dst":B,"hex":H}                   send one IPv4 datagram as given (IP_HDRINCL)
#   {"op":"echo","on":true|false}                  echo every GRE datagram received back to its
#                                                  source, same GRE bytes, addresses swapped, IP id
#                                                  with its top bit flipped
# Events: {"ev":"data","conn":C,"hex":H} bytes received on a connection; {"ev":"eof","conn":C};
#         {"ev":"gre","hex":H} a GRE datagram delivered to this host (IP header included);
#         {"ev":"echo","hex":H} / {"ev":"echo-error","errno":E,"hex":H} what the echo did.
import json
import os
import selectors
import socket
import struct
import sys

IPPROTO_GRE = 47


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(',', ':')) + '\n')
    sys.stdout.flush()


def addr_text(a):
    return '%s:%d' % (a[0], a[1])


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Agent:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.conns = {}
        self.accepted = 0
        self.echo = False
        self.raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
        self.raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        self.raw.setblocking(False)
        self.sel.register(self.raw, selectors.EVENT_READ, ('raw', None))
        os.set_blocking(0, False)
        self.sel.register(0, selectors.EVENT_READ, ('stdin', None))
        self.inbuf = b''

    def run(self):
        while True:
            for key, _ in self.sel.select():
                kind, arg = key.data
                if kind == 'stdin':
                    if not self.read_stdin():
                        return
                elif kind == 'raw':
                    self.read_raw()
                elif kind == 'listen':
                    self.accept(key.fileobj)
                elif kind == 'conn':
                    self.read_conn(arg)

    def read_stdin(self):
        try:
            chunk = os.read(0, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        self.inbuf += chunk
        while b'\n' in self.inbuf:
            line, self.inbuf = self.inbuf.split(b'\n', 1)
            if line.strip():
                req = json.loads(line)
                try:
                    extra = self.handle(req) or {}
                    extra.update({'ev': 'ok', 'req': req.get('req')})
                    emit(extra)
                except OSError as e:
                    emit({'ev': 'error', 'req': req.get('req'), 'msg': str(e), 'errno': e.errno})
        return True

    def handle(self, req):
        op = req['op']
        if op == 'listen':
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((req.get('addr', '0.0.0.0'), req['port']))
            s.listen(16)
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, ('listen', None))
            return None
        if op == 'connect':
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.bind((req['src'], req.get('sport', 0)))
            s.settimeout(5)
            s.connect((req['dst'], req['port']))
            s.setblocking(False)
            self.conns[req['conn']] = s
            self.sel.register(s, selectors.EVENT_READ, ('conn', req['conn']))
            return {'local': addr_text(s.getsockname())}
        if op == 'send':
            s = self.conns[req['conn']]
            s.setblocking(True)
            s.sendall(bytes.fromhex(req['hex']))
            s.setblocking(False)
            return None
        if op == 'close':
            s = self.conns.pop(req['conn'], None)
            if s is not None:
                self.sel.unregister(s)
                if req.get('reset'):
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                s.close()
            return None
        if op == 'gre':
            self.raw.sendto(bytes.fromhex(req['hex']), (req['dst'], 0))
            return None
        if op == 'echo':
            self.echo = bool(req['on'])
            return None
        raise OSError(22, 'unknown op %r' % op)

    def accept(self, ls):
        try:
            s, peer = ls.accept()
        except BlockingIOError:
            return
        self.accepted += 1
        name = 'a%d' % self.accepted
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        self.conns[name] = s
        self.sel.register(s, selectors.EVENT_READ, ('conn', name))
        emit({'ev': 'accept', 'conn': name, 'peer': addr_text(peer), 'local': addr_text(s.getsockname())})

    def read_conn(self, name):
        s = self.conns.get(name)
        if s is None:
            return
        try:
            data = s.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if not data:
            self.sel.unregister(s)
            del self.conns[name]
            s.close()
            emit({'ev': 'eof', 'conn': name})
            return
        emit({'ev': 'data', 'conn': name, 'hex': data.hex()})

    def read_raw(self):
        while True:
            try:
                d = self.raw.recv(65536)
            except BlockingIOError:
                return
            emit({'ev': 'gre', 'hex': d.hex()})
            if self.echo:
                self.echo_back(d)

    def echo_back(self, d):
        ihl = (d[0] & 0x0f) * 4
        # The echo's IP id is the received one with the top bit flipped, so Node can name it.
        ident = struct.unpack_from('!H', d, 4)[0] ^ 0x8000
        body = d[ihl:]
        hdr = bytearray(struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(body), ident, 0, 64, IPPROTO_GRE, 0, d[16:20], d[12:16]))
        struct.pack_into('!H', hdr, 10, checksum(bytes(hdr)))
        out = bytes(hdr) + body
        try:
            self.raw.sendto(out, (socket.inet_ntoa(d[12:16]), 0))
            emit({'ev': 'echo', 'hex': out.hex()})
        except OSError as e:
            emit({'ev': 'echo-error', 'errno': e.errno, 'msg': e.strerror, 'hex': out.hex()})


if __name__ == '__main__':
    Agent().run()
