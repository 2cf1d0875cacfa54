// Sandbox server
