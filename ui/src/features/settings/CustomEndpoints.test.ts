import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ProviderStatus } from "../../lib/bindings/ProviderStatus";
import { sent } from "../../test/ipc";
import { mockProviders, myVllm, noKey, sampleOverview, showProviders } from "../../test/providers";
import ProvidersSettings from "./ProvidersSettings.svelte";

const LOCAL_KEY = "sk-local-TYPED-4321";

/** The endpoint the add test creates, as the core answers. */
const azure: ProviderStatus = {
  ...myVllm,
  id: "azure-eu",
  label: "azure-eu",
  base_url: "https://eu.example.azure.com/openai/v1",
  key: { ...myVllm.key, last4: "4321" },
  headers: [
    { name: "X-Team", value: "research" },
    { name: "X-Region", value: "eu" },
  ],
  key_header: "api-key",
};

describe("Custom endpoints", () => {
  it("adds an endpoint with a key and headers: sends what was typed and shows the new row", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ save_custom_endpoint: () => azure });
    await showProviders();

    await user.click(screen.getByTestId("custom-add"));
    const form = screen.getByTestId("custom-form");
    expect(screen.getByTestId("custom-name")).toHaveFocus();
    expect(screen.getByTestId("custom-save")).toBeDisabled();
    expect(screen.getByTestId("custom-key")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("custom-key-header")).toHaveAttribute("placeholder", "Authorization: Bearer");

    await user.type(screen.getByTestId("custom-name"), "azure-eu");
    expect(form).toHaveTextContent("Models are then azure-eu/model");
    await user.type(screen.getByTestId("custom-base-url"), "https://eu.example.azure.com/openai/v1");
    await user.type(screen.getByTestId("custom-key"), LOCAL_KEY);
    await user.type(screen.getByTestId("custom-key-header"), "api-key");
    await user.click(screen.getByTestId("custom-header-add"));
    expect(screen.getByTestId("custom-header-name-0")).toHaveFocus();
    await user.type(screen.getByTestId("custom-header-name-0"), "X-Team");
    await user.type(screen.getByTestId("custom-header-value-0"), "research");
    await user.click(screen.getByTestId("custom-header-add"));
    await user.type(screen.getByTestId("custom-header-name-1"), "X-Region");
    await user.type(screen.getByTestId("custom-header-value-1"), "eu");
    await user.click(screen.getByTestId("custom-save"));

    const row = await screen.findByTestId("provider-row-azure-eu");
    expect(sent(calls, "save_custom_endpoint")).toEqual([
      {
        replacing: null,
        endpoint: {
          name: "azure-eu",
          base_url: "https://eu.example.azure.com/openai/v1",
          headers: [
            { name: "X-Team", value: "research" },
            { name: "X-Region", value: "eu" },
          ],
          key_header: "api-key",
        },
        key: LOCAL_KEY,
      },
    ]);
    expect(within(row).getByTestId("key-status-azure-eu")).toHaveTextContent("Keychain ····4321");
    expect(within(row).getByTestId("base-url-azure-eu")).toHaveTextContent("https://eu.example.azure.com/openai/v1");
    expect(row).toHaveTextContent("2 extra headers");
    expect(screen.queryByTestId("custom-form")).not.toBeInTheDocument();
    expect(screen.getByTestId("custom-add")).toHaveFocus();
    expect(document.body.innerHTML).not.toContain(LOCAL_KEY);
  });

  it("removes a header row before saving", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ save_custom_endpoint: () => ({ ...azure, headers: [] }) });
    await showProviders();

    await user.click(screen.getByTestId("custom-add"));
    await user.type(screen.getByTestId("custom-name"), "azure-eu");
    await user.type(screen.getByTestId("custom-base-url"), "https://eu.example.azure.com/openai/v1");
    await user.click(screen.getByTestId("custom-header-add"));
    await user.type(screen.getByTestId("custom-header-name-0"), "X-Oops");
    await user.click(screen.getByRole("button", { name: "Remove header 1" }));
    expect(screen.queryByTestId("custom-header-name-0")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("custom-save"));

    await screen.findByTestId("provider-row-azure-eu");
    expect(sent(calls, "save_custom_endpoint")).toEqual([
      {
        replacing: null,
        endpoint: { name: "azure-eu", base_url: "https://eu.example.azure.com/openai/v1", headers: [], key_header: null },
        key: null,
      },
    ]);
  });

  it("shows the core's refusal in the form and keeps everything typed", async () => {
    const user = userEvent.setup();
    const message =
      "`Authorization` looks like a credential, and headers are saved in plain text: put the secret in the key field (kept in the keychain) and set \"Send the key in\" to `Authorization`";
    mockProviders({
      save_custom_endpoint: () => {
        throw { kind: "invalid_input", message };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("custom-add"));
    await user.type(screen.getByTestId("custom-name"), "gateway");
    await user.type(screen.getByTestId("custom-base-url"), "https://gw.example/v1");
    await user.click(screen.getByTestId("custom-header-add"));
    await user.type(screen.getByTestId("custom-header-name-0"), "Authorization");
    await user.type(screen.getByTestId("custom-header-value-0"), "Bearer xyz");
    await user.click(screen.getByTestId("custom-save"));

    const error = await screen.findByTestId("custom-error");
    expect(error).toHaveAttribute("role", "alert");
    expect(error).toHaveTextContent(
      "Authorization looks like a credential, and headers are saved in plain text: put the secret in the key field",
    );
    expect(screen.getByTestId("custom-save")).toHaveAccessibleDescription(/looks like a credential/);
    expect(screen.getByTestId("custom-name")).toHaveValue("gateway");
    expect(screen.getByTestId("custom-base-url")).toHaveValue("https://gw.example/v1");
    expect(screen.getByTestId("custom-header-name-0")).toHaveValue("Authorization");
    expect(screen.getByTestId("custom-header-value-0")).toHaveValue("Bearer xyz");
    expect(screen.queryByTestId("provider-row-gateway")).not.toBeInTheDocument();
    expect(screen.getByTestId("custom-save")).toBeEnabled();
  });

  it("edits an endpoint without touching its key: the form is filled in except the key, and key is null", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ save_custom_endpoint: () => ({ ...myVllm, base_url: "http://gpu-box:9000/v1" }) });
    await showProviders();

    await user.click(screen.getByTestId("custom-edit-my-vllm"));
    const form = within(screen.getByTestId("provider-row-my-vllm")).getByTestId("custom-form");
    expect(form).toHaveTextContent("Edit my-vllm");
    expect(screen.getByTestId("custom-name")).toHaveValue("my-vllm");
    expect(screen.getByTestId("custom-base-url")).toHaveValue("http://gpu-box:8000/v1");
    expect(screen.getByTestId("custom-key")).toHaveValue("");
    expect(screen.getByTestId("custom-key")).toHaveAttribute("placeholder", "Leave blank to keep the saved key");
    expect(screen.getByTestId("custom-key-header")).toHaveValue("api-key");
    expect(screen.getByTestId("custom-header-name-0")).toHaveValue("X-Team");
    expect(screen.getByTestId("custom-header-value-0")).toHaveValue("research");

    const url = screen.getByTestId("custom-base-url");
    await user.clear(url);
    await user.type(url, "http://gpu-box:9000/v1");
    await user.click(screen.getByTestId("custom-save"));

    await waitFor(() => expect(screen.getByTestId("base-url-my-vllm")).toHaveTextContent("http://gpu-box:9000/v1"));
    expect(sent(calls, "save_custom_endpoint")).toEqual([
      {
        replacing: "my-vllm",
        endpoint: {
          name: "my-vllm",
          base_url: "http://gpu-box:9000/v1",
          headers: [{ name: "X-Team", value: "research" }],
          key_header: "api-key",
        },
        key: null,
      },
    ]);
    expect(screen.queryByTestId("custom-form")).not.toBeInTheDocument();
    expect(screen.getByTestId("custom-edit-my-vllm")).toHaveFocus();
  });

  it("renames an endpoint: its row takes the new name", async () => {
    const user = userEvent.setup();
    const renamed: ProviderStatus = { ...myVllm, id: "gpu-box", label: "gpu-box" };
    const calls = mockProviders({ save_custom_endpoint: () => renamed });
    await showProviders();

    await user.click(screen.getByTestId("custom-edit-my-vllm"));
    await user.clear(screen.getByTestId("custom-name"));
    await user.type(screen.getByTestId("custom-name"), "gpu-box");
    await user.click(screen.getByTestId("custom-save"));

    expect(await screen.findByTestId("provider-row-gpu-box")).toBeVisible();
    expect(screen.queryByTestId("provider-row-my-vllm")).not.toBeInTheDocument();
    expect(sent(calls, "save_custom_endpoint")[0]).toMatchObject({ replacing: "my-vllm", endpoint: { name: "gpu-box" } });
  });

  it("Escape cancels the form and keeps settings open; Cancel sends nothing", async () => {
    const user = userEvent.setup();
    const calls = mockProviders();
    await showProviders();
    let reachedWindow = false;
    const onWindowKey = (event: KeyboardEvent): void => {
      if (event.key === "Escape" && !event.defaultPrevented) reachedWindow = true;
    };
    window.addEventListener("keydown", onWindowKey);

    await user.click(screen.getByTestId("custom-add"));
    await user.type(screen.getByTestId("custom-name"), "draft{Escape}");
    expect(screen.queryByTestId("custom-form")).not.toBeInTheDocument();
    expect(reachedWindow).toBe(false);
    expect(screen.getByTestId("custom-add")).toHaveFocus();
    window.removeEventListener("keydown", onWindowKey);

    await user.click(screen.getByTestId("custom-edit-my-vllm"));
    await user.click(screen.getByTestId("custom-cancel"));
    expect(screen.queryByTestId("custom-form")).not.toBeInTheDocument();
    expect(sent(calls, "save_custom_endpoint")).toEqual([]);
  });

  it("removes an endpoint only after confirming", async () => {
    const user = userEvent.setup();
    const calls = mockProviders({ remove_custom_endpoint: () => null });
    await showProviders();

    await user.click(screen.getByTestId("custom-remove-my-vllm"));
    expect(screen.getByTestId("provider-row-my-vllm")).toHaveTextContent(
      "Remove the endpoint my-vllm and its key from the keychain?",
    );
    expect(sent(calls, "remove_custom_endpoint")).toEqual([]);
    await user.click(screen.getByTestId("custom-remove-confirm-my-vllm"));

    await waitFor(() => expect(screen.queryByTestId("provider-row-my-vllm")).not.toBeInTheDocument());
    expect(sent(calls, "remove_custom_endpoint")).toEqual([{ name: "my-vllm" }]);
    expect(screen.getByTestId("custom-add")).toHaveFocus();
  });

  it("shows why an endpoint could not be removed and keeps it", async () => {
    const user = userEvent.setup();
    mockProviders({
      remove_custom_endpoint: () => {
        throw { kind: "keychain", message: "the keychain refused access to Switchboard; allow access (denied)" };
      },
    });
    await showProviders();

    await user.click(screen.getByTestId("custom-remove-my-vllm"));
    await user.click(screen.getByTestId("custom-remove-confirm-my-vllm"));
    const error = await screen.findByTestId("provider-error-my-vllm");
    expect(error).toHaveTextContent("the keychain refused access to Switchboard");
    expect(error).toHaveTextContent("Keys in environment variables still work.");
    expect(screen.getByTestId("provider-row-my-vllm")).toBeInTheDocument();
  });

  it("says an endpoint without a key has none", async () => {
    mockProviders({
      list_providers: () => ({ ...sampleOverview, providers: [{ ...myVllm, needs_key: false, key: noKey([]) }] }),
    });
    render(ProvidersSettings);
    expect(await screen.findByTestId("key-status-my-vllm")).toHaveTextContent("No key needed");
  });
});
