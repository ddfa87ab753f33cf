package session

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// binarySerializer is securecookie's Serializer for a Session: a version
// byte, then the strings length-prefixed and the times as varints. It is
// what a session cookie request spends most of its time on besides the
// MAC and the cipher; JSON took three times as long (and made a longer
// cookie), so it is written by hand — five fields, no library needed.
type binarySerializer struct{}

const formatV1 = 1

func (binarySerializer) Serialize(src any) ([]byte, error) {
	s, ok := src.(Session)
	if !ok {
		if p, isPtr := src.(*Session); isPtr {
			s, ok = *p, true
		}
	}
	if !ok {
		return nil, fmt.Errorf("session: cannot serialize %T", src)
	}
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+len(s.User)+len(s.ID)+len(s.Stamp)+2*binary.MaxVarintLen64)
	b = append(b, formatV1)
	for _, str := range []string{s.User, s.ID, s.Stamp} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	b = binary.AppendVarint(b, s.Issued)
	b = binary.AppendVarint(b, s.Seen)
	return b, nil
}

var errFormat = errors.New("session: cookie payload is not a session")

func (binarySerializer) Deserialize(src []byte, dst any) error {
	s, ok := dst.(*Session)
	if !ok {
		return fmt.Errorf("session: cannot deserialize into %T", dst)
	}
	if len(src) == 0 || src[0] != formatV1 {
		return errFormat
	}
	b := src[1:]
	var out Session
	for _, str := range []*string{&out.User, &out.ID, &out.Stamp} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return errFormat
		}
		*str, b = string(b[k:k+int(n)]), b[k+int(n):]
	}
	for _, t := range []*int64{&out.Issued, &out.Seen} {
		v, k := binary.Varint(b)
		if k <= 0 {
			return errFormat
		}
		*t, b = v, b[k:]
	}
	if len(b) != 0 {
		return errFormat
	}
	*s = out
	return nil
}
