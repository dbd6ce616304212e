package shopify

import (
	"reflect"
	"testing"
)

// TestDropNULsReachesEveryString: the walk cleans strings however they are
// held — nested structs, pointers, slices, arrays, maps (keys and values),
// interfaces — and leaves bytes and unexported fields alone.
func TestDropNULsReachesEveryString(t *testing.T) {
	type inner struct {
		S    string
		List []string
	}
	type outer struct {
		A      string
		P      *inner
		Arr    [2]string
		M      map[string]string
		MS     map[string]inner
		Any    any
		AnyMap map[string]any
		Raw    []byte
		hidden string
	}
	v := outer{
		A: "a\x00", P: &inner{S: "\x00s", List: []string{"l\x00", "m"}}, Arr: [2]string{"x\x00", "y"},
		M: map[string]string{"k\x00": "v\x00"}, MS: map[string]inner{"k": {S: "i\x00"}},
		Any: "any\x00", AnyMap: map[string]any{"n": []any{"deep\x00"}}, Raw: []byte("r\x00"), hidden: "h\x00",
	}
	dropNULs([]byte(`{"x":"\u0000"}`), &v)
	want := outer{
		A: "a", P: &inner{S: "s", List: []string{"l", "m"}}, Arr: [2]string{"x", "y"},
		M: map[string]string{"k": "v"}, MS: map[string]inner{"k": {S: "i"}},
		Any: "any", AnyMap: map[string]any{"n": []any{"deep"}}, Raw: []byte("r\x00"), hidden: "h\x00",
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("after dropNULs:\n got %#v\nwant %#v", v, want)
	}
	// A body without the escape has no NUL to drop: nothing is walked.
	w := outer{A: "a\x00"}
	dropNULs([]byte(`{"a":"b"}`), &w)
	if w.A != "a\x00" {
		t.Errorf("walked a body without \\u0000")
	}
}
