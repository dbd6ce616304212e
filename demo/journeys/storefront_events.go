package journeys

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// The payloads of the storefront's events, in the shapes of
// testdata/customer-events (Shopify's Web Pixels types, the embed's
// funnelscope:* events), trimmed to the fields a storefront of this store
// fills. Personal data is left out: the demo's checkouts name no e-mail or
// address in their events (the server reads none anyway).

// money is Shopify's MoneyV2.
type money struct {
	Amount       float64 `json:"amount"`
	CurrencyCode string  `json:"currencyCode"`
}

func usd(cents int64) money { return money{Amount: float64(cents) / 100, CurrencyCode: "USD"} }

type pixelProduct struct {
	ID                string `json:"id"`
	Title             string `json:"title"`
	UntranslatedTitle string `json:"untranslatedTitle"`
	URL               string `json:"url"`
	Vendor            string `json:"vendor"`
	Type              string `json:"type"`
}

type pixelVariant struct {
	ID      string       `json:"id"`
	Price   money        `json:"price"`
	Product pixelProduct `json:"product"`
	SKU     string       `json:"sku"`
	Title   string       `json:"title"`
	Image   struct {
		Src string `json:"src"`
	} `json:"image"`
}

// variantOf is variant v (0–3) of catalog item k.
func variantOf(k, v int, it Item) pixelVariant {
	h := handle(it.Title)
	out := pixelVariant{
		ID:    strconv.Itoa(44_100_000_000_000 + k*10 + v),
		Price: usd(it.Cents),
		Product: pixelProduct{ID: strconv.Itoa(8_100_000_000_000 + k), Title: it.Title, UntranslatedTitle: it.Title,
			URL: "/products/" + h, Vendor: "Funnelscope Demo", Type: "Goods"},
		SKU:   fmt.Sprintf("FD-%03d-%d", k, v),
		Title: []string{"Default", "Small", "Medium", "Large"}[v%4],
	}
	out.Image.Src = "//cdn.shopify.com/s/files/demo/" + h + ".jpg"
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("journeys: encoding a storefront payload: %v", err)) // only fixed shapes are encoded
	}
	return b
}

var (
	emptyData  = []byte(`{}`)
	scrollData = [4][]byte{[]byte(`{"percent":25}`), []byte(`{"percent":50}`), []byte(`{"percent":75}`), []byte(`{"percent":100}`)}
	filterData = [][]byte{
		[]byte(`{"filters":["filter.v.option.size"],"sort_by":null,"source":"url"}`),
		[]byte(`{"filters":["filter.v.price.gte","filter.v.price.lte"],"sort_by":null,"source":"url"}`),
		[]byte(`{"filters":[],"sort_by":"price-ascending","source":"shopify:collection:update"}`),
	}
	galleryData = [][]byte{[]byte(`{"kind":"swipe","index":1}`), []byte(`{"kind":"click","index":2}`), []byte(`{"kind":"swipe","index":3}`)}
	reviewsData = []byte(`{"selector":"#judgeme_product_reviews"}`)
	searchData  = []byte(`{"searchResult":{"query":"gift","productVariants":[]}}`)
)

func collectionData(h, title string) []byte {
	return mustJSON(map[string]any{"collection": map[string]any{"id": strconv.Itoa(301_000_000_000 + len(h)), "title": title, "productVariants": []any{}}})
}

func navData(host, href, text string) []byte {
	return mustJSON(map[string]string{"href": "https://" + host + href, "text": text, "zone": "header"})
}

func productViewedData(k int, it Item) []byte {
	return mustJSON(map[string]any{"productVariant": variantOf(k, 0, it)})
}

func variantData(k, v int) []byte {
	return mustJSON(map[string]string{"variantId": strconv.Itoa(44_100_000_000_000 + k*10 + v), "source": "shopify:product:select"})
}

func addedData(k int, it Item) []byte {
	return mustJSON(map[string]any{"cartLine": map[string]any{
		"cost":        map[string]any{"totalAmount": usd(it.Cents * it.Qty)},
		"merchandise": variantOf(k, 0, it),
		"quantity":    it.Qty,
	}})
}

// cartData is the embed's funnelscope:cart: the /cart.js token, the cart
// webhook's token and its key.
func cartData(cart string, n int) []byte {
	return mustJSON(map[string]string{"token": fmt.Sprintf("%s?key=%032x", cart, uint64(n)*0x9e3779b97f4a7c15)})
}

func checkoutData(s *Shopper, total int64) []byte {
	lines := make([]any, 0, len(s.Items))
	for i, it := range s.Items {
		lines = append(lines, map[string]any{
			"id": fmt.Sprintf("%s-%d", s.Cart, i), "quantity": it.Qty, "title": it.Title,
			"finalLinePrice": usd(it.Cents * it.Qty),
		})
	}
	return mustJSON(map[string]any{"checkout": map[string]any{
		"token": s.Checkout, "currencyCode": "USD", "totalPrice": usd(total), "subtotalPrice": usd(total),
		"lineItems": lines, "email": nil, "phone": nil, "shippingAddress": nil, "billingAddress": nil,
	}})
}

type pixelLocation struct {
	Hash     string `json:"hash"`
	Host     string `json:"host"`
	Hostname string `json:"hostname"`
	Href     string `json:"href"`
	Origin   string `json:"origin"`
	Pathname string `json:"pathname"`
	Port     string `json:"port"`
	Protocol string `json:"protocol"`
	Search   string `json:"search"`
}

type pixelContext struct {
	Document struct {
		Location     pixelLocation `json:"location"`
		Referrer     string        `json:"referrer"`
		CharacterSet string        `json:"characterSet"`
		Title        string        `json:"title"`
	} `json:"document"`
	Navigator struct {
		CookieEnabled bool     `json:"cookieEnabled"`
		Language      string   `json:"language"`
		Languages     []string `json:"languages"`
		UserAgent     string   `json:"userAgent"`
	} `json:"navigator"`
	Window struct {
		InnerWidth  int `json:"innerWidth"`
		InnerHeight int `json:"innerHeight"`
		OuterWidth  int `json:"outerWidth"`
		OuterHeight int `json:"outerHeight"`
		Screen      struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"screen"`
		ScrollY  int           `json:"scrollY"`
		Origin   string        `json:"origin"`
		Location pixelLocation `json:"location"`
	} `json:"window"`
}

// Render returns the visit's events as the pixel forwards them to
// /collect: Shopify's envelope (id, name, type, clientId, timestamp, seq)
// with the page's context and the event's data or customData. Event ids
// are "sh-" and a UUID made of the client id and the event's index, so
// they are unique wherever the client ids are. A page's context is
// encoded once for all its events.
func (v Visit) Render(host string) []json.RawMessage {
	out := make([]json.RawMessage, len(v.Events))
	contexts := map[*StorefrontPage][]byte{}
	for i, e := range v.Events {
		ctx := contexts[e.Page]
		if e.Name == funnel.EventScrollDepth {
			c := v.context(host, e.Page)
			c.Window.ScrollY = v.Device.Height / 2
			ctx = mustJSON(c)
		} else if ctx == nil {
			ctx = mustJSON(v.context(host, e.Page))
			contexts[e.Page] = ctx
		}
		b := make([]byte, 0, 160+len(ctx)+len(e.Data)+len(e.Name))
		b = append(b, `{"id":"sh-`...)
		b = append(b, v.ClientID[:23]...)
		b = fmt.Appendf(b, "-%012x\",\"name\":", i)
		b = appendString(b, e.Name)
		typ, data := "standard", "data"
		if e.Custom {
			typ, data = "custom", "customData"
		}
		b = append(append(append(b, `,"type":"`...), typ...), `","clientId":`...)
		b = appendString(b, v.ClientID)
		b = e.At.UTC().AppendFormat(append(b, `,"timestamp":"`...), "2006-01-02T15:04:05.000Z")
		b = strconv.AppendInt(append(b, `","seq":`...), int64(e.Seq), 10)
		b = append(append(b, `,"context":`...), ctx...)
		b = append(append(append(append(append(b, `,"`...), data...), `":`...), e.Data...), '}')
		out[i] = b
	}
	return out
}

// context is the event context of page p in the visit's browser.
func (v Visit) context(host string, p *StorefrontPage) pixelContext {
	var c pixelContext
	loc := pixelLocation{Host: host, Hostname: host, Href: "https://" + host + p.Path + p.Search, Origin: "https://" + host,
		Pathname: p.Path, Protocol: "https:", Search: p.Search}
	c.Document.Location, c.Document.Referrer, c.Document.CharacterSet = loc, p.Referrer, "UTF-8"
	c.Document.Title = p.Title + " – Funnelscope Demo"
	c.Navigator.CookieEnabled, c.Navigator.Language, c.Navigator.Languages = true, "en-US", []string{"en-US", "en"}
	c.Navigator.UserAgent = v.Device.UserAgent
	w := &c.Window
	w.InnerWidth, w.InnerHeight, w.OuterWidth, w.OuterHeight = v.Device.Width, v.Device.Height-120, v.Device.Width, v.Device.Height
	w.Screen.Width, w.Screen.Height = v.Device.Width, v.Device.Height
	w.Origin, w.Location = "https://"+host, loc
	return c
}
