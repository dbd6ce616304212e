package shopify

// NamedShop is the shop a webhook body names: its myshopify.com domain and
// its Shopify id (0 when the body leaves it out).
type NamedShop struct {
	Domain string
	ID     int64
}

// Shop returns the shop the uninstalled app was installed on.
func (a AppUninstalled) Shop() NamedShop { return NamedShop{Domain: a.MyshopifyDomain, ID: a.ID} }

// Shop returns the shop whose customer asked for their data.
func (r CustomersDataRequest) Shop() NamedShop { return NamedShop{Domain: r.ShopDomain, ID: r.ShopID} }

// Shop returns the shop whose customer is to be erased.
func (r CustomersRedact) Shop() NamedShop { return NamedShop{Domain: r.ShopDomain, ID: r.ShopID} }

// Shop returns the shop to be erased.
func (r ShopRedact) Shop() NamedShop { return NamedShop{Domain: r.ShopDomain, ID: r.ShopID} }

// BodyShop returns the shop that a signed body of topic names, for the
// topics whose bodies name their shop by domain: app/uninstalled
// (myshopify_domain, id), customers/data_request, customers/redact and
// shop/redact (shop_domain, shop_id). named is false for every other topic:
// carts, checkouts and orders do not name their shop, and app/scopes_update
// names it by id alone. An error wrapping ErrBadPayload says that such a
// body cannot be read or names no domain.
func BodyShop(topic string, body []byte) (shop NamedShop, named bool, err error) {
	switch topic {
	case TopicAppUninstalled:
		a, err := ParseAppUninstalled(body)
		if err != nil {
			return NamedShop{}, true, err
		}
		if a.MyshopifyDomain == "" {
			return NamedShop{}, true, badPayload("shop has no myshopify_domain")
		}
		return a.Shop(), true, nil
	case TopicCustomersDataRequest:
		r, err := ParseCustomersDataRequest(body)
		return r.Shop(), true, err
	case TopicCustomersRedact:
		r, err := ParseCustomersRedact(body)
		return r.Shop(), true, err
	case TopicShopRedact:
		r, err := ParseShopRedact(body)
		return r.Shop(), true, err
	}
	return NamedShop{}, false, nil
}
