/**
 * The providers shown in Settings before the providers issue wires them to the core.
 * Display data only: keys and base URLs never live in the UI.
 */
export interface ProviderEntry {
  readonly id: string;
  readonly name: string;
  /** Short monogram for the tile. */
  readonly mark: string;
  readonly description: string;
  /** The model-id prefix, as LiteLLM and OpenRouter write it. */
  readonly prefix: string;
}

export const providers: readonly ProviderEntry[] = [
  { id: "openai", name: "OpenAI", mark: "O", description: "GPT and o-series models", prefix: "openai/" },
  { id: "anthropic", name: "Anthropic", mark: "A", description: "Claude models", prefix: "anthropic/" },
  { id: "gemini", name: "Google Gemini", mark: "G", description: "Gemini models", prefix: "gemini/" },
  {
    id: "openrouter",
    name: "OpenRouter",
    mark: "R",
    description: "Hundreds of models behind one key",
    prefix: "openrouter/",
  },
  {
    id: "openai-compatible",
    name: "OpenAI-compatible",
    mark: "/v1",
    description: "Ollama, LM Studio, Groq or any local server",
    prefix: "custom",
  },
];
