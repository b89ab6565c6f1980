// dmn-js's modeler as the DMN editor loads it (window.DmnJS, like dmn-js's own distribution), bundled with
// Inferno's production build: every bundle dmn-js ships carries Inferno's development build, which logs
// to the console on each page that loads it (bpmn-io/dmn-js#965). Built by `make assets` with esbuild.
import DmnModeler from "dmn-js/lib/Modeler";

window.DmnJS = DmnModeler;
