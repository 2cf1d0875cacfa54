// WidashCloud
