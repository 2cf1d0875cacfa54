// WidashTrace
