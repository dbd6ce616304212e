package app

// navEntry is one page of the app's navigation: its path and its name.
type navEntry struct {
	Path, Label string
}

// navigation is the app's pages, in order, as the admin's navigation
// (s-app-nav) and demo mode's in-page one list them: adding a page to both
// is one line here. The report is the home page, at /.
func navigation() []navEntry {
	return []navEntry{
		{Path: "/", Label: "Report"},
		{Path: "/sessions", Label: "Sessions"},
		{Path: "/changes", Label: "Changes"},
		{Path: "/settings", Label: "Settings"},
	}
}
