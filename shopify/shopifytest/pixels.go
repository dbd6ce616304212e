package shopifytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

// webPixel is the app's web pixel on one shop: settings as Shopify keeps
// them, the JSON text of the settings object.
type webPixel struct {
	id       string
	settings string
}

// WebPixel returns the app's web pixel on shop: its id and its settings (the
// JSON text of the settings object), and whether there is one.
func (s *Server) WebPixel(shop string) (id, settings string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	px, ok := s.pixels[shop]
	return px.id, px.settings, ok
}

// SetWebPixel gives shop an app web pixel with settings (JSON text), as if
// it had been created earlier, and returns its id.
func (s *Server) SetWebPixel(shop, settings string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := fmt.Sprintf("gid://shopify/WebPixel/%d", 1000+s.nextID)
	s.pixels[shop] = webPixel{id: id, settings: settings}
	return id
}

// DeletePixel removes the app's web pixel of shop (as an uninstall does).
func (s *Server) DeletePixel(shop string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pixels, shop)
}

// SetPixelDeployed says whether the app's web pixel extension is deployed
// (the default). Undeployed, webPixelCreate answers the user error
// NO_EXTENSION, as Shopify does before `shopify app deploy` shipped it.
func (s *Server) SetPixelDeployed(deployed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notDeployed = !deployed
}

// PixelUserErrorNext makes the next webPixelCreate or webPixelUpdate
// answer the user error code (UNEXPECTED_ERROR, INVALID_SETTINGS…) with
// message, and change nothing.
func (s *Server) PixelUserErrorNext(code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pixelFaults = append(s.pixelFaults, pixelUserError(code, nil, message))
}

// takePixelFault returns the next queued pixel user error, or nil; s.mu
// must be held.
func (s *Server) takePixelFault() map[string]any {
	if len(s.pixelFaults) == 0 {
		return nil
	}
	f := s.pixelFaults[0]
	s.pixelFaults = s.pixelFaults[1:]
	return f
}

// Operations returns how many requests of a GraphQL operation ("webPixel",
// "webPixelCreate", "webPixelUpdate", "themes") the server answered;
// faulted and throttled requests are not counted.
func (s *Server) Operations(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[op]
}

// pixelScopesCreate are the scopes webPixelCreate and webPixelUpdate need;
// the webPixel query needs read_pixels, which write_pixels implies.
const pixelScopesCreate = "write_pixels,read_customer_events"

func (s *Server) readPixel(w http.ResponseWriter, shop, scope string) {
	if !shopify.ScopesCover(scope, "read_pixels") {
		accessDenied(w, "webPixel", "Access denied for webPixel field. Required access: `read_pixels` access scope.")
		return
	}
	s.mu.Lock()
	px, ok := s.pixels[shop]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{
			"data": map[string]any{"webPixel": nil},
			"errors": []any{map[string]any{
				"message":    "No web pixel was found for this app.",
				"locations":  []any{map[string]int{"line": 1, "column": 19}},
				"path":       []string{"webPixel"},
				"extensions": map[string]any{"code": "RESOURCE_NOT_FOUND"},
			}},
			"extensions": map[string]any{"cost": cost(1, nil, 1999)},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data":       map[string]any{"webPixel": map[string]any{"id": px.id, "settings": px.settings}},
		"extensions": map[string]any{"cost": cost(1, nil, 1999)},
	})
}

func (s *Server) createPixel(w http.ResponseWriter, shop, scope string, req graphQLRequest) {
	if !shopify.ScopesCover(scope, pixelScopesCreate) {
		accessDenied(w, "webPixelCreate", "Access denied for webPixelCreate field. Required access: `write_pixels` access scope. Also: The app requires read_customer_events access scope and user access permission.")
		return
	}
	settings, ue := pixelInput(req)
	s.mu.Lock()
	var created any
	switch {
	case ue != nil:
	case len(s.pixelFaults) > 0:
		ue = s.takePixelFault()
	case s.notDeployed:
		ue = pixelUserError("NO_EXTENSION", nil, "No extension found.")
	case s.pixels[shop].id != "":
		ue = pixelUserError("TAKEN", nil, "Web pixel is taken.")
	default:
		s.nextID++
		px := webPixel{id: fmt.Sprintf("gid://shopify/WebPixel/%d", 1000+s.nextID), settings: settings}
		s.pixels[shop] = px
		created = map[string]any{"id": px.id, "settings": px.settings}
	}
	s.mu.Unlock()
	pixelAnswer(w, "webPixelCreate", created, ue)
}

func (s *Server) updatePixel(w http.ResponseWriter, shop, scope string, req graphQLRequest) {
	if !shopify.ScopesCover(scope, pixelScopesCreate) {
		accessDenied(w, "webPixelUpdate", "Access denied for webPixelUpdate field. Required access: `write_pixels` access scope. Also: The app requires read_customer_events access scope and user access permission.")
		return
	}
	var id string
	if err := json.Unmarshal(req.Variables["id"], &id); err != nil || id == "" {
		graphQLErrors(w, "Variable $id of type ID! was provided invalid value")
		return
	}
	settings, ue := pixelInput(req)
	s.mu.Lock()
	var updated any
	px, ok := s.pixels[shop]
	switch {
	case ue != nil:
	case len(s.pixelFaults) > 0:
		ue = s.takePixelFault()
	case !ok || px.id != id:
		ue = pixelUserError("NOT_FOUND", []string{"id"}, "Web pixel not found.")
	default:
		px.settings = settings
		s.pixels[shop] = px
		updated = map[string]any{"id": px.id, "settings": px.settings}
	}
	s.mu.Unlock()
	pixelAnswer(w, "webPixelUpdate", updated, ue)
}

// pixelInput reads the webPixel variable (WebPixelInput) and checks its
// settings against the funnelscope-pixel extension's settings definition:
// one accountID, a non-empty string. settings (JSON scalar) may be an
// object or, as Shopify's docs pass it, a JSON-encoded string.
func pixelInput(req graphQLRequest) (string, map[string]any) {
	var input struct {
		Settings json.RawMessage `json:"settings"`
	}
	if err := json.Unmarshal(req.Variables["webPixel"], &input); err != nil || len(input.Settings) == 0 || string(input.Settings) == "null" {
		return "", pixelUserError("BLANK", []string{"webPixel", "settings"}, "Settings can't be blank.")
	}
	raw := []byte(input.Settings)
	var str string
	if json.Unmarshal(raw, &str) == nil {
		raw = []byte(str)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return "", pixelUserError("INVALID_CONFIGURATION_JSON", []string{"webPixel", "settings"}, "The provided settings is not a valid JSON.")
	}
	id, isString := obj["accountID"].(string)
	if len(obj) != 1 || !isString || id == "" {
		return "", pixelUserError("INVALID_SETTINGS", []string{"webPixel", "settings"}, "The provided settings does not match the expected settings definition on the app.")
	}
	canonical, _ := json.Marshal(map[string]string{"accountID": id})
	return string(canonical), nil
}

func pixelUserError(code string, field []string, message string) map[string]any {
	return map[string]any{"code": code, "field": field, "message": message}
}

// pixelAnswer writes a webPixelCreate or webPixelUpdate payload.
func pixelAnswer(w http.ResponseWriter, op string, pixel any, ue map[string]any) {
	userErrs := []any{}
	if ue != nil {
		userErrs = append(userErrs, ue)
	}
	actual := 10
	writeJSON(w, http.StatusOK, map[string]any{
		"data":       map[string]any{op: map[string]any{"userErrors": userErrs, "webPixel": pixel}},
		"extensions": map[string]any{"cost": cost(10, &actual, 1990)},
	})
}

// accessDenied answers as Shopify does a field the token's scopes do not
// cover: a top-level ACCESS_DENIED error and null data.
func accessDenied(w http.ResponseWriter, field, message string) {
	writeJSON(w, http.StatusOK, map[string]any{
		"data": map[string]any{field: nil},
		"errors": []any{map[string]any{
			"message":   message,
			"locations": []any{map[string]int{"line": 2, "column": 3}},
			"path":      []string{field},
			"extensions": map[string]any{
				"code":          "ACCESS_DENIED",
				"documentation": "https://shopify.dev/api/usage/access-scopes",
			},
		}},
		"extensions": map[string]any{"cost": cost(10, nil, 1990)},
	})
}

// RawPixelCreate sends webPixelCreate to the server with settings as given
// (a string is sent as the JSON-encoded string, anything else as JSON), and
// returns the first user error's code and message ("" when it made the
// pixel). It is how tests check the server's own validation, which the
// client never lets a bad value reach.
func RawPixelCreate(t testing.TB, s *Server, shop, token, version string, settings any) (code, message string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"query":     "mutation webPixelCreate($webPixel: WebPixelInput!) { webPixelCreate(webPixel: $webPixel) { userErrors { code field message } webPixel { id settings } } }",
		"variables": map[string]any{"webPixel": map[string]any{"settings": settings}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+GraphQLPath(version), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = shop
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct {
		Data struct {
			WebPixelCreate struct {
				UserErrors []struct{ Code, Message string } `json:"userErrors"`
			} `json:"webPixelCreate"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("webPixelCreate: %d %v", resp.StatusCode, err)
	}
	if ues := out.Data.WebPixelCreate.UserErrors; len(ues) > 0 {
		return ues[0].Code, ues[0].Message
	}
	return "", ""
}
