// Bundled by esbuild (tests/fixtures_js.py) into one script that exposes the viewers.
import Graph from "graphology";
import gexf from "graphology-gexf/browser";
import Sigma from "sigma";

window.KG_VIEWERS = { Graph, gexf, Sigma };
