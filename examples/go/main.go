package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
)

// request is one NDJSON request line (spec/CONTRACT.md section 5). Pointers tell a missing
// field from a zero one.
type request struct {
	ID     *int64         `json:"id"`
	Packet *string        `json:"packet"`
	Keymap []keymapRecord `json:"keymap"`
}

type keymapRecord struct {
	Src    *string `json:"src"`
	Dst    *string `json:"dst"`
	DstKey *int64  `json:"dstkey"`
	SrcKey *int64  `json:"srckey"`
}

func parseAddr(field string, s *string) (netip.Addr, error) {
	if s == nil {
		return netip.Addr{}, fmt.Errorf("keymap entry without %q", field)
	}
	a, err := netip.ParseAddr(*s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("keymap %s %q is not an IP address", field, *s)
	}
	return a, nil
}

func parseKey(field string, v *int64) (uint16, error) {
	if v == nil || *v < 0 || *v > 0xffff {
		return 0, fmt.Errorf("keymap %s is not an integer 0..65535", field)
	}
	return uint16(*v), nil
}

func parseKeymap(recs []keymapRecord) ([]KeymapEntry, error) {
	out := make([]KeymapEntry, 0, len(recs))
	for _, r := range recs {
		var e KeymapEntry
		var err error
		if e.Src, err = parseAddr("src", r.Src); err != nil {
			return nil, err
		}
		if e.Dst, err = parseAddr("dst", r.Dst); err != nil {
			return nil, err
		}
		if e.Src.Is4() != e.Dst.Is4() {
			// The kernel's keymap holds one tuple, so both addresses share a family.
			return nil, errors.New("keymap entry mixes an IPv4 and an IPv6 address")
		}
		if e.DstKey, err = parseKey("dstkey", r.DstKey); err != nil {
			return nil, err
		}
		if e.SrcKey, err = parseKey("srckey", r.SrcKey); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// answer appends the answer line for one request line to out.
func answer(out []byte, line []byte) ([]byte, error) {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return out, fmt.Errorf("not a request: %v", err)
	}
	if req.ID == nil {
		return out, errors.New("no integer id")
	}
	if req.Packet == nil {
		return out, errors.New("no packet")
	}
	packet, err := hex.DecodeString(*req.Packet)
	if err != nil {
		return out, fmt.Errorf("packet is not hex: %v", err)
	}
	keymap, err := parseKeymap(req.Keymap)
	if err != nil {
		return out, err
	}
	out = append(out, `{"id":`...)
	out = strconv.AppendInt(out, *req.ID, 10)
	t, ok := TupleFor(packet, keymap)
	if !ok {
		return append(out, `,"tuple":null}`+"\n"...), nil
	}
	// netip prints IPv6 per RFC 5952 (and ::ffff:a.b.c.d for a mapped address).
	out = append(out, `,"tuple":{"src":"`...)
	out = t.Src.AppendTo(out)
	out = append(out, `","dst":"`...)
	out = t.Dst.AppendTo(out)
	out = append(out, `","proto":`...)
	out = strconv.AppendUint(out, uint64(t.Proto), 10)
	out = append(out, `,"srckey":`...)
	out = strconv.AppendUint(out, uint64(t.SrcKey), 10)
	out = append(out, `,"dstkey":`...)
	out = strconv.AppendUint(out, uint64(t.DstKey), 10)
	return append(out, "}}\n"...), nil
}

// serve answers every request line of in on out, in order. Requests are pipelined, so it
// flushes whenever no whole line is waiting in the input buffer, before it would block.
func serve(in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<16)
	w := bufio.NewWriterSize(out, 1<<16)
	if _, err := w.WriteString(`{"contract":"1.0"}` + "\n"); err != nil {
		return err
	}
	var buf []byte
	for lineno := 1; ; lineno++ {
		if pending, _ := r.Peek(r.Buffered()); bytes.IndexByte(pending, '\n') < 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
		line, readErr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var err error
			if buf, err = answer(buf[:0], line); err != nil {
				return fmt.Errorf("line %d: %v", lineno, err)
			}
			if _, err = w.Write(buf); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return w.Flush()
		}
		if readErr != nil {
			return readErr
		}
	}
}

func main() {
	if err := serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "gre_tuple: %v\n", err)
		os.Exit(1)
	}
}
