/// Per-context themes (the config file's `contexts: { NAME: { theme: … } }`): the header names the
/// context in use, at start and after `:ctx`, and that is when its theme is loaded.
enum ContextTheme {
    /// The theme to load now that the header names `context` (it named `previous` before).
    static func commands(_ options: DashboardOptions, previous: String?, context: String) -> [Command] {
        guard previous != context, !options.contextThemes.isEmpty else { return [] }
        if let theme = options.contextThemes[context] { return [.loadTheme(theme)] }
        // Leaving a context that had its own theme: back to the one of every other context.
        if let previous, options.contextThemes[previous] != nil { return [.loadTheme(options.baseTheme ?? "default")] }
        return []
    }
}
