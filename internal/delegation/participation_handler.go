package delegation

// participationViews are the templates of the edition's delegations and
// the wreath-laying order.
var participationViews = []string{}
