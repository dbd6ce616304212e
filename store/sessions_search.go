package store

import "strings"

// MaxSearch is the longest search SessionFilter.Search may hold, in bytes.
const MaxSearch = 200

// likeEscape is the escape character of searchCond's LIKE patterns.
const likeEscape = `\`

// searchCond is the condition, with its arguments, that keeps the sessions
// whose e-mail, phone or any line item's title holds q, as a substring,
// letter case aside: both sides are lower-cased (q in Go, the columns by
// SQL's lower, which folds ASCII letters on SQLite and every letter on
// PostgreSQL with a Unicode locale), and q's %, _ and \ match themselves.
// The titles are read from the line_items JSON by each dialect's own JSON
// functions, so that a search never matches the JSON's keys.
func (s *Store) searchCond(q string) (string, []any) {
	pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
	like := " LIKE ? ESCAPE '" + likeEscape + "'"
	titles := "EXISTS (SELECT 1 FROM json_each(line_items) AS li WHERE lower(json_extract(li.value, '$.title'))" + like + ")"
	if s.isPG() {
		// line_items is an array or NULL; jsonb_typeof guards against
		// anything else a past version might have written.
		titles = "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(line_items) = 'array' THEN line_items END) AS li" +
			" WHERE lower(li ->> 'title')" + like + ")"
	}
	return "(lower(email)" + like + " OR lower(phone)" + like + " OR " + titles + ")", []any{pattern, pattern, pattern}
}

// escapeLike escapes LIKE's wildcards and its escape character in s.
func escapeLike(s string) string {
	return strings.NewReplacer(likeEscape, likeEscape+likeEscape, "%", likeEscape+"%", "_", likeEscape+"_").Replace(s)
}
