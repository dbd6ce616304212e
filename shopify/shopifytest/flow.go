package shopifytest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// FlowTrigger is one flowTriggerReceive the server accepted.
type FlowTrigger struct {
	Handle  string
	Payload map[string]any
}

// flowHandles are the trigger handles the server knows: the app's deployed
// Flow trigger extensions (extensions/funnelscope-flow-*).
var flowHandles = map[string]bool{"funnelscope-cart-abandoned": true, "funnelscope-step-anomaly": true}

// FlowTriggers returns a copy of the triggers shop received, in order.
func (s *Server) FlowTriggers(shop string) []FlowTrigger {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FlowTrigger(nil), s.flows[shop]...)
}

// FlowUserErrorNext makes the next n flowTriggerReceive calls answer a user
// error with message, as Shopify does for a trigger it does not accept.
func (s *Server) FlowUserErrorNext(message string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.flowFaults = append(s.flowFaults, message)
	}
}

// flowTriggerReceive answers the mutation: a known handle with a JSON
// object payload is recorded; the deprecated body argument, an unknown
// handle or a queued fault answers a user error.
func (s *Server) flowTriggerReceive(w http.ResponseWriter, shop string, req graphQLRequest) {
	var handle string
	var payload map[string]any
	_ = json.Unmarshal(req.Variables["handle"], &handle)
	rawPayload := req.Variables["payload"]
	var userErrs []any
	s.mu.Lock()
	switch {
	case len(s.flowFaults) > 0:
		userErrs = append(userErrs, map[string]any{"field": []string{"body"}, "message": s.flowFaults[0]})
		s.flowFaults = s.flowFaults[1:]
	case req.Variables["body"] != nil || strings.Contains(req.Query, "body:"):
		userErrs = append(userErrs, map[string]any{"field": []string{"body"}, "message": "Use handle and payload: body is deprecated"})
	case !flowHandles[handle]:
		userErrs = append(userErrs, map[string]any{"field": []string{"handle"}, "message": "Invalid handle '" + handle + "'"})
	case json.Unmarshal(rawPayload, &payload) != nil || payload == nil:
		userErrs = append(userErrs, map[string]any{"field": []string{"payload"}, "message": "Payload must be a JSON object"})
	default:
		s.flows[shop] = append(s.flows[shop], FlowTrigger{Handle: handle, Payload: payload})
	}
	s.mu.Unlock()
	if userErrs == nil {
		userErrs = []any{}
	}
	actual := 10
	writeJSON(w, http.StatusOK, map[string]any{
		"data":       map[string]any{"flowTriggerReceive": map[string]any{"userErrors": userErrs}},
		"extensions": map[string]any{"cost": cost(10, &actual, 1990)},
	})
}
