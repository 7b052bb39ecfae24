/** @jsxImportSource hono/jsx */
export const Probe = (p: { name: string }) => <p class="x">Hello {p.name}</p>;
export const html = String(<Probe name="<b>" />);
