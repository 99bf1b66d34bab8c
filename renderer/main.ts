import "./poc";
