package delegation

// importViews are the templates of the spreadsheet import.
var importViews = []string{}
