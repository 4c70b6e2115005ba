package checkin

// printViews are the templates of the protocol prints (badges, place
// cards, door lists).
var printViews = []string{}
