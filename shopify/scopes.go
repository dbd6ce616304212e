package shopify

import "strings"

// ScopesCover reports whether the comma-separated granted scopes include
// every comma-separated required scope. A write_x scope implies read_x (and
// unauthenticated_write_x implies unauthenticated_read_x).
func ScopesCover(granted, required string) bool {
	have := map[string]bool{}
	for _, s := range splitScopes(granted) {
		have[s] = true
	}
	for _, r := range splitScopes(required) {
		if have[r] {
			continue
		}
		if w, ok := impliedBy(r); ok && have[w] {
			continue
		}
		return false
	}
	return true
}

func splitScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// impliedBy returns the write scope that implies the read scope r.
func impliedBy(r string) (string, bool) {
	for _, prefix := range []string{"read_", "unauthenticated_read_"} {
		if rest, ok := strings.CutPrefix(r, prefix); ok && rest != "" {
			return strings.Replace(prefix, "read_", "write_", 1) + rest, true
		}
	}
	return "", false
}
